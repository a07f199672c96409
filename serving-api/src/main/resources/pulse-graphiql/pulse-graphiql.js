// GraphiQL against this server's /graphql and /graphql-ws, with the tab's Pulse sign-in (the token a
// sign-in link left in sessionStorage; "#token=<JWT>" in this page's address works too). The token
// is sent as a header and in connection_init; GraphiQL does not keep headers (shouldPersistHeaders off).
'use strict';

(() => {
  const KEY = 'pulse.session.token';
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (fragment.get('token')) {
    sessionStorage.setItem(KEY, fragment.get('token'));
    history.replaceState(null, '', location.pathname + location.search);
  }
  const token = sessionStorage.getItem(KEY) || '';
  const auth = token ? { Authorization: 'Bearer ' + token } : {};
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const fetcher = GraphiQL.createFetcher({
    url: '/graphql',
    headers: auth,
    wsClient: graphqlWs.createClient({ url: scheme + '//' + location.host + '/graphql-ws', connectionParams: auth, lazy: true }),
  });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher,
      shouldPersistHeaders: false,
      defaultQuery: '# Signed in with this tab\'s Pulse token' + (token ? '' : ' (none: open a sign-in link first)') + '.\n{\n  me { name tenant roles courses expiresAt }\n}\n',
    }));
})();
