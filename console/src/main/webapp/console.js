// The console's pages: they read the JSON API under api/ and write every value with textContent, never as HTML.
// A POST carries the session's CSRF token (from GET api/factories) in the X-CSRF-Token header.

let csrfToken = null;

/** An element with attributes and children; strings become text nodes. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null && value !== false) {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat(Infinity)) {
    if (child !== undefined && child !== null) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

/** The API's address: relative to this page, without any user name and password its address carried. */
function apiUrl(path) {
  return new URL(path, window.location.origin + window.location.pathname).toString();
}

async function getJson(path) {
  const response = await fetch(apiUrl(path), {headers: {Accept: 'application/json'}, cache: 'no-store'});
  const body = await response.json().catch(() => ({error: 'The console answered ' + response.status}));
  return {status: response.status, body};
}

async function postForm(path, fields) {
  if (csrfToken === null) {
    await loadSession();
  }
  const response = await fetch(apiUrl(path), {
    method: 'POST',
    headers: {'Accept': 'application/json', 'Content-Type': 'application/x-www-form-urlencoded',
      'X-CSRF-Token': csrfToken},
    body: new URLSearchParams(fields)
  });
  const body = await response.json().catch(() => ({error: 'The console answered ' + response.status}));
  return {status: response.status, body};
}

async function loadSession() {
  const {body} = await getJson('api/factories');
  csrfToken = body.csrfToken;
  const user = document.getElementById('user');
  if (user && body.user) {
    user.textContent = 'Signed in as ' + body.user;
  }
  return body;
}

function when(iso) {
  if (!iso) {
    return '—';
  }
  const date = new Date(iso);
  return isNaN(date) ? iso : date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

function definitions(target, pairs) {
  target.replaceChildren();
  for (const [term, value, cls] of pairs) {
    target.append(el('dt', {}, term), el('dd', {class: cls}, value));
  }
}

function stateText(item) {
  if (item.problem) {
    return 'Invalid settings';
  }
  return item.state === 'UNUSED' ? 'not used yet' : item.state;
}

// ---- Connection factories -------------------------------------------------------------------------------------

async function factoriesPage() {
  const status = document.getElementById('status');
  let session;
  try {
    session = await loadSession();
  } catch (e) {
    status.textContent = 'The console could not read the server\'s factories: ' + e;
    return;
  }
  const table = document.getElementById('factories');
  const rows = table.querySelector('tbody');
  rows.replaceChildren();
  for (const f of session.factories) {
    const expiry = (f.expiries || []).map(e => e.credential + ': ' + (e.daysLeft < 0 ? 'expired' : 'in '
        + e.daysLeft + ' days')).join('; ');
    const ready = el('span', {class: f.state === 'UP' ? 'ok-state' : f.state === 'DOWN' || f.problem ? 'err' : 'muted'},
        stateText(f));
    rows.append(el('tr', {},
        el('th', {scope: 'row'}, el('a', {href: '#factory=' + encodeURIComponent(f.jndiName),
          'data-factory': f.jndiName}, f.jndiName)),
        el('td', {}, f.transport || ''), el('td', {}, f.fromAddress || ''), el('td', {}, f.authentication || ''),
        el('td', {}, ready, f.reason ? el('div', {class: 'err small'}, f.reason) : null,
            f.problem ? el('div', {class: 'err small'}, f.problem) : null),
        el('td', {}, expiry || el('span', {class: 'muted'}, 'not known')),
        el('td', {}, f.problem ? '' : f.sent + ' / ' + f.failed)));
  }
  table.hidden = session.factories.length === 0;
  document.getElementById('none').hidden = session.factories.length !== 0;
  status.textContent = session.factories.length + ' connection factor' + (session.factories.length === 1 ? 'y' : 'ies')
      + ' on this server.';
  window.addEventListener('hashchange', showChosen);
  document.getElementById('check-setup').addEventListener('click', checkSetup);
  document.getElementById('test-mail').addEventListener('submit', sendTestMail);
  await showChosen();
}

function chosen() {
  const match = /^#factory=(.+)$/.exec(window.location.hash);
  return match ? decodeURIComponent(match[1]) : null;
}

async function showChosen() {
  const name = chosen();
  const section = document.getElementById('factory');
  if (!name) {
    section.hidden = true;
    return;
  }
  document.getElementById('setup-result').replaceChildren();
  document.getElementById('message').replaceChildren();
  await showFactory(name);
  section.hidden = false;
  document.getElementById('factory-title').focus();
}

async function showFactory(name) {
  const {status, body: f} = await getJson('api/factories/detail?jndiName=' + encodeURIComponent(name));
  document.getElementById('factory-title').textContent = status === 200 ? name : 'Not found: ' + name;
  const problem = document.getElementById('factory-problem');
  problem.hidden = !(f.problem || f.error);
  problem.textContent = f.problem || f.error || '';
  if (status !== 200) {
    return;
  }
  const reason = document.getElementById('factory-reason');
  reason.hidden = !f.reason;
  reason.textContent = f.reason ? 'DOWN — ' + f.reason : '';
  definitions(document.getElementById('state'), [
    ['Ready', stateText(f), f.state === 'UP' ? 'ok-state' : f.state === 'DOWN' ? 'err' : 'muted'],
    ['Since', when(f.since)],
    ['Last success', when(f.lastSuccess)],
    ['Transport', f.transport || '—'],
    ['Authentication', f.authentication || '—'],
    ['Sends as', f.fromAddress || '—'],
    ['Credentials expire', (f.expiries || []).map(e => e.credential + ' ' + when(e.expires)
        + (e.warning ? ' (renew it now)' : '')).join('; ') || 'not known']
  ]);
  const t = f.token || {};
  definitions(document.getElementById('token'), [
    ['Held', t.present ? 'yes' : 'no (fetched at the first send or Check setup)'],
    ['Obtained', when(t.acquiredAt)],
    ['Expires', when(t.expiresAt)],
    ['Requests / refreshes', (t.requests ?? 0) + ' / ' + (t.refreshes ?? 0)]
  ]);
  const m = f.metrics || {};
  const byReason = Object.entries(m.failedByReason || {}).filter(([, v]) => v > 0).map(([k, v]) => k + ' ' + v)
      .join(', ');
  definitions(document.getElementById('counts'), [
    ['Sent', m.sent ?? 0],
    ['Failed', (m.failed ?? 0) + (byReason ? ' (' + byReason + ')' : '')],
    ['Retried', m.retried ?? 0],
    ['Throttled waits', (m.throttledWaits ?? 0) + ' (' + (m.throttledMillis ?? 0) + ' ms)'],
    ['Mean / longest send', (m.meanSendMillis ?? 0) + ' / ' + (m.longestSendMillis ?? 0) + ' ms']
  ]);
  definitions(document.getElementById('alerts'), [
    ['Alert address', (f.alertAddresses || []).join(', ') || 'none: failures go to the server\'s log only'],
    ['Outbox', outboxText(f.outbox)]
  ]);
  const failure = f.lastFailure;
  document.getElementById('last-failure-box').hidden = !failure;
  if (failure) {
    document.getElementById('last-failure').textContent = when(failure.at) + ' — ' + failure.kind + ': '
        + failure.detail;
    document.getElementById('last-failure-advice').textContent = failure.advice;
  }
  const consent = document.getElementById('consent-link');
  consent.hidden = !f.consent;
  if (f.consent) {
    document.getElementById('consent-href').setAttribute('href', 'consent?jndiName=' + encodeURIComponent(name));
  }
  renderConfiguration(f.configuration || []);
}

function renderConfiguration(settings) {
  const target = document.getElementById('configuration');
  target.replaceChildren();
  const groups = new Map();
  for (const s of settings) {
    if (!groups.has(s.group)) {
      groups.set(s.group, []);
    }
    groups.get(s.group).push(s);
  }
  let i = 0;
  for (const [group, items] of groups) {
    const id = 'group-' + (i++);
    target.append(el('table', {class: 'config', 'aria-labelledby': id},
        el('caption', {id}, group),
        el('thead', {}, el('tr', {}, el('th', {scope: 'col'}, 'Property'), el('th', {scope: 'col'}, 'Value'),
            el('th', {scope: 'col'}, 'Default'), el('th', {scope: 'col'}, 'What it is'))),
        el('tbody', {}, items.map(s => el('tr', {'data-property': s.name, class: s.set ? 'set' : null},
            el('th', {scope: 'row'}, el('code', {}, s.name)),
            el('td', {class: 'value'}, s.confidential ? (s.set ? 'set (hidden)' : 'not set')
                : s.value ?? el('span', {class: 'muted'}, 'not set')),
            el('td', {}, s.default ?? '—'),
            el('td', {class: 'small'}, s.description))))));
  }
}

async function checkSetup() {
  const name = chosen();
  const result = document.getElementById('setup-result');
  const button = document.getElementById('check-setup');
  button.disabled = true;
  result.replaceChildren(el('p', {class: 'muted'}, 'Checking…'));
  try {
    const {status, body} = await postForm('api/check-setup', {jndiName: name});
    if (status !== 200) {
      result.replaceChildren(el('p', {class: 'err', id: 'setup-verdict'}, body.error || 'Check setup failed'));
      return;
    }
    const verdict = !body.ok ? 'Missing: ' + body.firstMissing : body.unchecked > 0
        ? 'No step is missing; ' + body.unchecked + ' can only be confirmed by a send: send a test mail.'
        : 'Every step is done.';
    const marks = {OK: '✓ done', MISSING: '✗ missing', UNCHECKED: '– not checked'};
    result.replaceChildren(
        el('p', {id: 'setup-verdict', class: body.ok ? 'ok' : body.firstMissing ? 'err' : 'muted'}, verdict),
        el('ol', {class: 'setup-steps'}, body.steps.map(s => el('li', {'data-state': s.state},
            el('strong', {}, s.name), ' ', el('span', {class: s.state === 'OK' ? 'ok' : s.state === 'MISSING' ? 'err'
                : 'muted'}, marks[s.state]), el('div', {class: 'small'}, s.detail)))),
        el('h4', {}, 'What the token says'),
        el('dl', {id: 'claims'}, [
          ['aud', body.token.aud || '—'], ['tid', body.token.tid || '—'],
          ['roles', (body.token.roles || []).join(' ') || '—'], ['scp', (body.token.scp || []).join(' ') || '—'],
          ['expires', when(body.token.expiresAt)]
        ].map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])));
    await showFactory(name);
  } finally {
    button.disabled = false;
  }
}

async function sendTestMail(event) {
  event.preventDefault();
  const form = event.target;
  const message = document.getElementById('message');
  const button = document.getElementById('send');
  button.disabled = true;
  message.replaceChildren(el('p', {class: 'muted'}, 'Sending…'));
  try {
    const {body} = await postForm('api/test-mail', {jndiName: chosen(), to: form.to.value,
      subject: form.subject.value, body: form.body.value});
    if (body.sent) {
      message.replaceChildren(el('p', {class: 'ok', id: 'message-text'}, 'Sent: Microsoft 365 accepted message '
          + body.messageId + ' via ' + body.transport + ' (' + body.serviceReference + ').'));
    } else {
      message.replaceChildren(el('p', {class: 'err', id: 'message-text'}, 'Not sent. ' + body.error),
          body.advice ? el('p', {id: 'message-advice'}, el('strong', {}, 'What to do: '), body.advice) : null);
    }
    await showFactory(chosen());
  } finally {
    button.disabled = false;
  }
}

// ---- Setup assistant -----------------------------------------------------------------------------------------

async function assistantPage() {
  loadSession().catch(() => {});
  document.getElementById('assistant').addEventListener('submit', async event => {
    event.preventDefault();
    const query = new URLSearchParams(new FormData(event.target));
    const {status, body} = await getJson('api/setup-script?' + query);
    const error = document.getElementById('assistant-error');
    const steps = document.getElementById('steps');
    error.hidden = status === 200;
    error.textContent = status === 200 ? '' : body.error;
    steps.replaceChildren(...(status === 200 ? body.steps.map(s => el('li', {},
        el('h3', {}, s.title), el('p', {}, s.text),
        s.commands.length ? el('pre', {}, el('code', {}, s.commands.join('\n'))) : null)) : []));
  });
}

if (document.body.dataset.page === 'factories') {
  factoriesPage();
} else if (document.body.dataset.page === 'assistant') {
  assistantPage();
}

/** The outbox's counts, or that the factory has none (messages in a transaction then wait in memory for the commit). */
function outboxText(outbox) {
  if (!outbox || !outbox.configured) {
    return 'none configured: messages sent in a transaction wait in memory for the commit';
  }
  if (outbox.problem) {
    return 'cannot be read now: ' + outbox.problem;
  }
  return outbox.waiting + ' waiting, ' + outbox.sending + ' being sent, ' + outbox.delivered + ' delivered, '
      + outbox.failed + ' failed, ' + outbox.inDoubt + ' in doubt';
}
