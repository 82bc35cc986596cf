const { onExecutePostLogin } = require('./index.js');
test('logs the login', async () => {
  await mockFetch('https://logs.example.com/*', { status: 204 });
  const api = mockApi();
  await onExecutePostLogin(events.postLogin(), api);
});
