// The quickstart's logger module: POSTs a log line to SERVICE_URL with API_KEY.
exports.sendLog = async (code, message) => {
  const res = await fetch(actions.secrets.SERVICE_URL, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-API-Key': actions.secrets.API_KEY },
    body: JSON.stringify({ code, message }),
  });
  if (!res.ok) throw new Error('logger service answered ' + res.status);
  return res.json();
};
