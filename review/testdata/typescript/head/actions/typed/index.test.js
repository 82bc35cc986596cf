const { onExecutePostLogin } = require('./index.js');

test('sets the claim', async () => {
  const api = mockApi();
  await onExecutePostLogin(events.postLogin({ user: { user_id: 'u1' } }), api);
  expect(api).toHaveCalled('idToken.setCustomClaim', 'id', 'user:u1');
});
