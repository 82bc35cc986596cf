module.exports = {
  sendLog: async (code, message) => {
    await fetch(actions.secrets.SERVICE_URL, {
      method: 'POST',
      headers: { 'X-API-Key': actions.secrets.API_KEY, 'Content-Type': 'application/json' },
      body: JSON.stringify({ code, message, version: 2 }),
    });
  },
};
