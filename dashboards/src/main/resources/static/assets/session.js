// Sign-in for every Pulse page: the bearer token (a JWT from the identity provider, or a demo
// sign-in link) lives in this tab's sessionStorage only: never localStorage, never a cookie, gone
// when the tab closes. A link's #token= is taken from the address bar at once; it replaces the
// signed-in identity only after the person confirms when it names someone else.
'use strict';

const PulseSession = (() => {
  const KEY = 'pulse.session.token';
  const ME = `query { me { subject name tenant roles courses expiresAt } }`;
  let offered = null;

  function token() { return sessionStorage.getItem(KEY) || ''; }
  function signIn(t) { sessionStorage.setItem(KEY, t.trim()); }
  function signOut() { sessionStorage.removeItem(KEY); }

  /** POST a GraphQL operation with the session's token (or the one given); the data, or an Error. */
  async function graphql(query, variables, withToken) {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Authorization': 'Bearer ' + (withToken || token()) },
      body: JSON.stringify({ query, variables: variables || {} }),
    });
    if (response.status === 401) {
      const e = new Error('not signed in, or the sign-in expired (401): open a new sign-in link or paste a token');
      e.status = 401;
      throw e;
    }
    const body = await response.json();
    if (body.errors && body.errors.length) {
      const e = new Error(body.errors.map((x) => x.message).join('; '));
      e.errors = body.errors;
      throw e;
    }
    return body.data;
  }

  function whoAmI(withToken) { return graphql(ME, {}, withToken).then((d) => d.me); }

  function describe(me) {
    return me.name + ' (' + me.roles.map((r) => r.toLowerCase()).join(', ') + ') at ' + me.tenant;
  }

  /** Removes #token=... from the address bar; the token, or null. */
  function takeFromFragment() {
    const fragment = new URLSearchParams(location.hash.slice(1));
    const t = fragment.get('token');
    if (t) history.replaceState(null, '', location.pathname + location.search);
    return t;
  }

  /**
   * Shows who is signed in in the element with id "signed-in" (and a sign-out button), handles a
   * sign-in link, and resolves with the caller ("me") once someone is signed in, or null.
   */
  async function start() {
    const el = document.getElementById('signed-in');
    const linkToken = takeFromFragment();
    if (linkToken && linkToken !== token()) {
      let linked;
      try { linked = await whoAmI(linkToken); } catch (e) { linked = null; }
      if (!linked) {
        show(el, 'The sign-in link was refused (expired or invalid).', 'error');
      } else if (!token()) {
        signIn(linkToken);
      } else {
        let current = null;
        try { current = await whoAmI(); } catch (e) { current = null; }
        if (!current || current.subject === linked.subject && current.tenant === linked.tenant) {
          signIn(linkToken);
        } else {
          offered = { token: linkToken, me: linked };
          return confirmSwitch(el, current, linked);
        }
      }
    }
    return refresh(el);
  }

  async function refresh(el) {
    if (!token()) { show(el, 'Not signed in.', 'none'); return null; }
    try {
      const me = await whoAmI();
      show(el, 'Signed in as ' + describe(me) + ' until ' + me.expiresAt, 'signed-in', me);
      return me;
    } catch (e) {
      show(el, e.message, 'error');
      return null;
    }
  }

  /** Another identity's link while one is signed in: ask, never switch silently. */
  function confirmSwitch(el, current, linked) {
    return new Promise((resolve) => {
      show(el, 'Signed in as ' + describe(current) + '. The link signs in as ' + describe(linked) + '.', 'switch-offered', current);
      const yes = button('switch-identity', 'Switch to ' + linked.name);
      const no = button('keep-identity', 'Stay ' + current.name);
      el.append(' ', yes, ' ', no);
      yes.addEventListener('click', () => { signIn(offered.token); offered = null; refresh(el).then(resolve); });
      no.addEventListener('click', () => { offered = null; refresh(el).then(resolve); });
    });
  }

  function show(el, text, state, me) {
    if (!el) return;
    el.textContent = text;
    el.dataset.state = state;
    el.dataset.subject = me ? me.subject : '';
    el.dataset.tenant = me ? me.tenant : '';
    if (state === 'signed-in') {
      const out = button('sign-out', 'Sign out');
      out.addEventListener('click', () => { signOut(); location.reload(); });
      el.append(' ', out);
    }
  }

  function button(id, text) {
    const b = document.createElement('button');
    b.type = 'button';
    b.id = id;
    b.textContent = text;
    return b;
  }

  /**
   * A graphql-ws client on /graphql-ws, signed in with this tab's token (in connection_init); `on`
   * as graphql-ws takes it. A few attempts with graphql-ws's growing, randomised back-off: a
   * restarted server is not met by every open page at once, and a page whose sign-in expired stops
   * trying. Pages that follow a subscription load the graphql-ws script.
   */
  function liveClient(on) {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return graphqlWs.createClient({
      url: scheme + '//' + location.host + '/graphql-ws',
      connectionParams: { Authorization: 'Bearer ' + token() },
      retryAttempts: 10,
      on,
    });
  }

  /** Why a subscription ended, in words: its GraphQL errors, or the socket's close reason. */
  function liveError(e) {
    return Array.isArray(e) ? e.map((x) => x.message).join('; ') : (e && e.reason) || String(e);
  }

  return { token, signIn, signOut, graphql, whoAmI, start, liveClient, liveError };
})();
