// Starts GraphiQL on this server's own endpoint. A file of its own, not inline code, so
// that the page's Content-Security-Policy allows scripts from 'self' only.
(function () {
  var endpoint = new URL('/graphql', window.location.origin);
  var socket = new URL('/graphql/ws', window.location.origin);
  socket.protocol = socket.protocol === 'https:' ? 'wss:' : 'ws:';
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({
        url: endpoint.toString(),
        subscriptionUrl: socket.toString(),
      }),
      defaultEditorToolsVisibility: true,
    })
  );
})();
