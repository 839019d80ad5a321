// The reset email's link opens this page; only pressing the button spends the token (a mail scanner that
// fetches the link changes nothing). The token is in the fragment (#token=…), which the browser never sends
// to a server, so only the POST below carries it; the page sends no referrer and nothing here logs it.
// Its words are in the browser's language if that is Indonesian or English, else Indonesian (no one is signed in).
import { PageText, withLanguage } from '../shared/pagetext.js';

const text = await PageText.load(new URL('reset', import.meta.url), PageText.browserLanguage());
text.apply();
const button = document.getElementById('save');
const password = document.getElementById('password');
const again = document.getElementById('again');
const result = document.getElementById('result');
const problem = document.getElementById('problem');
const token = new URLSearchParams(location.hash.slice(1)).get('token')?.trim() ?? '';

if (token === '') {
  problem.textContent = text.say('incomplete');
} else {
  button.disabled = false;
  button.addEventListener('click', save);
}

async function save() {
  result.textContent = '';
  problem.textContent = '';
  if (password.value.length < 8) {
    problem.textContent = text.say('tooShort');
    return;
  }
  if (password.value !== again.value) {
    problem.textContent = text.say('differ');
    return;
  }
  button.disabled = true;
  try {
    // Relative to the page, so a site served below a path (https://lsp.example/situk/) posts to its own API.
    const response = await fetch('api/v1/accounts/password-reset/confirm', {
      method: 'POST',
      headers: withLanguage({ 'Content-Type': 'application/json', Accept: 'application/json, application/problem+json' }),
      body: JSON.stringify({ token, newPassword: password.value }),
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    if (response.ok) {
      button.hidden = true;
      password.value = '';
      again.value = '';
      result.textContent = text.say('saved');
      return;
    }
    problem.textContent = await detailOf(response);
    // A bad password or too many tries is worth another go; a used, expired or unknown link (a reset.* code) is not.
    button.disabled = response.status === 410 || lastBody?.code?.startsWith('reset.') === true;
  } catch {
    problem.textContent = text.say('unreachable');
    button.disabled = false;
  }
}

// The last problem body read, for its title.
let lastBody = null;

// The problem+json detail names what went wrong (used, expired or unknown link; the password; too many tries).
async function detailOf(response) {
  try {
    lastBody = await response.json();
    if (typeof lastBody.detail === 'string' && lastBody.detail !== '') {
      return lastBody.detail;
    }
    const errors = Object.values(lastBody.errors ?? {}).flat();
    if (errors.length > 0) {
      return errors.join(' ');
    }
  } catch {
    lastBody = null; // not JSON: fall through to the status line
  }
  return text.say('failed', { status: response.status });
}
