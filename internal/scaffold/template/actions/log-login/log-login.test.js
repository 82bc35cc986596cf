const { onExecutePostLogin } = require('./index.js');

test('puts the roles into the ID token', async () => {
  await mockFetch('POST https://service-url.test.invalid*', { status: 204 });
  const api = mockApi();
  await onExecutePostLogin(events.postLogin({ authorization: { roles: ['admin'] } }), api);
  expect(api).toHaveCalled('idToken.setCustomClaim', 'https://example.com/roles', ['admin']);
});

test('logs the login', async () => {
  await mockFetch('POST https://service-url.test.invalid*', { status: 204 });
  await onExecutePostLogin(events.postLogin(), mockApi());
  const calls = await fetchCalls();
  expect(calls).toHaveLength(1);
  expect(JSON.parse(calls[0].body).code).toBe('login');
});
