// Starts GraphiQL on the endpoints the page names (its #graphiql element's data-endpoint
// and data-subscriptions, paths on this origin). A file of its own, not inline code, so
// that the page's Content-Security-Policy allows scripts from 'self' only.
(function () {
  var root = document.getElementById('graphiql');
  var endpoint = new URL(root.dataset.endpoint, window.location.origin);
  var socket = new URL(root.dataset.subscriptions, window.location.origin);
  socket.protocol = socket.protocol === 'https:' ? 'wss:' : 'ws:';
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({
        url: endpoint.toString(),
        subscriptionUrl: socket.toString(),
      }),
      defaultEditorToolsVisibility: true,
    })
  );
})();
