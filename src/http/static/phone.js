// Leadline browser phone: fetches a short-lived Twilio access token for this page's session, then
// lets the agent call the lead. The number is looked up by Leadline from the lead id; the page never sees it.
(() => {
  const root = document.getElementById("phone");
  const status = document.getElementById("status");
  const callButton = document.getElementById("call");
  const hangupButton = document.getElementById("hangup");
  const session = root.dataset.session;
  let device;
  let connection;
  let linkId;

  const show = (text) => {
    status.textContent = text;
  };

  async function loadToken() {
    const res = await fetch("/phone/token", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ session }),
    });
    const body = await res.json();
    if (!res.ok) throw new Error(body.message || "Could not get a token");
    linkId = body.linkId;
    root.dataset.identity = body.identity;
    root.dataset.tokenReady = "true";
    return body.token;
  }

  async function start() {
    try {
      const token = await loadToken();
      if (!window.Twilio?.Device) throw new Error("The Twilio Voice SDK did not load");
      device = new window.Twilio.Device(token, { logLevel: "warn" });
      device.on("error", (error) => show(`Error: ${error.message}`));
      device.on("tokenWillExpire", async () => device.updateToken(await loadToken()));
      callButton.disabled = false;
      show("Ready. Allow the microphone when asked.");
    } catch (error) {
      show(`Error: ${error.message}`);
    }
  }

  callButton.addEventListener("click", async () => {
    callButton.disabled = true;
    show("Calling…");
    try {
      connection = await device.connect({ params: { link: linkId } });
      hangupButton.disabled = false;
      connection.on("accept", () => show("Connected"));
      connection.on("disconnect", () => {
        show("Call ended");
        hangupButton.disabled = true;
      });
      connection.on("error", (error) => show(`Error: ${error.message}`));
    } catch (error) {
      show(`Error: ${error.message}`);
      callButton.disabled = false;
    }
  });

  hangupButton.addEventListener("click", () => {
    if (connection) connection.disconnect();
  });

  start();
})();
