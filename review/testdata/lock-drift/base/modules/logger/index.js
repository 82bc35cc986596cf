module.exports = {
  sendLog: async (code, message) => {
    await fetch(actions.secrets.SERVICE_URL, {
      method: 'POST',
      headers: { 'X-API-Key': actions.secrets.API_KEY },
      body: JSON.stringify({ code, message }),
    });
  },
};
