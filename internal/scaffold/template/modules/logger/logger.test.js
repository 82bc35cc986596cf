// Module tests see the module's own secrets: placeholders (SERVICE_URL is
// https://service-url.test.invalid, API_KEY is test-API_KEY) unless --secrets-file gives values.
const logger = require('./index.js');

test('posts the code and message with the API key', async () => {
  await mockFetch('POST https://service-url.test.invalid*', { status: 204 });
  await logger.sendLog('login', 'hello');
  const [call] = await fetchCalls();
  expect(call.headers['x-api-key']).toBe('test-API_KEY');
  expect(JSON.parse(call.body)).toEqual({ code: 'login', message: 'hello' });
});

test('fails when the service does', async () => {
  await mockFetch('POST https://service-url.test.invalid*', { status: 500 });
  await expect(logger.sendLog('login', 'hello')).rejects.toThrow('500');
});
