//! The analytics.js snippet a source's page installs, pointed at a Houston instead of
//! Segment's CDN, so that it works offline against the desktop's loopback collector.

/// Segment's official analytics.js snippet (5.2.0) for `write_key`, loading analytics.js
/// and sending events to `base_url` (`http://127.0.0.1:8871`, no trailing slash): the
/// script comes from `<base_url>/analytics.js/v1/<write_key>/analytics.min.js`, and
/// `analytics._cdn` tells analytics.js where its settings and chunks are.
pub fn analytics_snippet(write_key: &str, base_url: &str) -> String {
    let base = js_string(base_url.trim_end_matches('/'));
    let key = js_string(write_key);
    format!(
        r#"<script>
  !function(){{var i="analytics",analytics=window[i]=window[i]||[];if(!analytics.initialize)if(analytics.invoked)window.console&&console.error&&console.error("Segment snippet included twice.");else{{analytics.invoked=!0;analytics.methods=["trackSubmit","trackClick","trackLink","trackForm","pageview","identify","reset","group","track","ready","alias","debug","page","screen","once","off","on","addSourceMiddleware","addIntegrationMiddleware","setAnonymousId","addDestinationMiddleware","register"];analytics.factory=function(e){{return function(){{if(window[i].initialized)return window[i][e].apply(window[i],arguments);var n=Array.prototype.slice.call(arguments);if(["track","screen","alias","group","page","identify"].indexOf(e)>-1){{var c=document.querySelector("link[rel='canonical']");n.push({{__t:"bpc",c:c&&c.getAttribute("href")||void 0,p:location.pathname,u:location.href,s:location.search,t:document.title,r:document.referrer}})}}n.unshift(e);analytics.push(n);return analytics}}}};for(var n=0;n<analytics.methods.length;n++){{var key=analytics.methods[n];analytics[key]=analytics.factory(key)}}analytics.load=function(key,n){{var t=document.createElement("script");t.type="text/javascript";t.async=!0;t.setAttribute("data-global-segment-analytics-key",i);t.src={base}+"/analytics.js/v1/"+key+"/analytics.min.js";var r=document.getElementsByTagName("script")[0];r.parentNode.insertBefore(t,r);analytics._loadOptions=n}};analytics._cdn={base};analytics._writeKey={key};analytics.SNIPPET_VERSION="5.2.0";
  analytics.load({key});
  analytics.page();
  }}}}();
</script>"#
    )
}

/// `text` as a double-quoted JavaScript string that cannot end the `<script>` element.
fn js_string(text: &str) -> String {
    let quoted = serde_json::Value::String(text.to_owned()).to_string();
    quoted.replace("</", "<\\/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snippet_loads_analytics_js_and_its_settings_from_the_given_server() {
        let s = analytics_snippet("k1", "http://127.0.0.1:8871/");
        assert!(s.contains(r#"t.src="http://127.0.0.1:8871"+"/analytics.js/v1/"+key"#));
        assert!(s.contains(r#"analytics._cdn="http://127.0.0.1:8871";"#));
        assert!(s.contains(r#"analytics.load("k1");"#));
        assert!(!s.contains("cdn.segment.com"));
    }

    #[test]
    fn a_key_cannot_break_out_of_the_script() {
        let s = analytics_snippet("\"</script><b>", "http://h");
        assert!(!s.contains("</script><b>"));
        assert_eq!(s.matches("</script>").count(), 1);
    }
}
