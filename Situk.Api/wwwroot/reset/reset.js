// The reset email's link opens this page; only pressing the button spends the token (a mail scanner that
// fetches the link changes nothing). The token is in the fragment (#token=…), which the browser never sends
// to a server, so only the POST below carries it; the page sends no referrer and nothing here logs it.
const button = document.getElementById('save');
const password = document.getElementById('password');
const again = document.getElementById('again');
const result = document.getElementById('result');
const problem = document.getElementById('problem');
const token = new URLSearchParams(location.hash.slice(1)).get('token')?.trim() ?? '';

if (token === '') {
  problem.textContent = 'Tautan ini tidak lengkap: salin seluruh tautan dari email. / This link is incomplete: copy the whole link from the email.';
} else {
  button.disabled = false;
  button.addEventListener('click', save);
}

async function save() {
  result.textContent = '';
  problem.textContent = '';
  if (password.value.length < 8) {
    problem.textContent = 'Kata sandi minimal 8 karakter. / The password needs at least 8 characters.';
    return;
  }
  if (password.value !== again.value) {
    problem.textContent = 'Kedua kata sandi tidak sama. / The two passwords differ.';
    return;
  }
  button.disabled = true;
  try {
    // Relative to the page, so a site served below a path (https://lsp.example/situk/) posts to its own API.
    const response = await fetch('api/v1/accounts/password-reset/confirm', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, application/problem+json' },
      body: JSON.stringify({ token, newPassword: password.value }),
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    if (response.ok) {
      button.hidden = true;
      password.value = '';
      again.value = '';
      result.textContent = 'Kata sandi baru tersimpan. Silakan masuk. / Your new password is saved. You can sign in now.';
      return;
    }
    problem.textContent = await detailOf(response);
    // A bad password or too many tries is worth another go; a used, expired or unknown link is not.
    button.disabled = response.status === 410 || lastBody?.title === 'Unknown reset link';
  } catch {
    problem.textContent = 'Tidak dapat menghubungi Situk. Coba lagi. / Could not reach Situk. Try again.';
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
  return `Gagal (${response.status}). / Failed (${response.status}).`;
}
