// The sandbox's stand-in for the Twilio Voice SDK (window.Twilio.Device), served on the softphone
// page instead of the real SDK. It presents the page's access token to the simulated Twilio, which
// checks it, asks Leadline's TwiML App URL what to dial, and plays the call. No audio is carried.
(() => {
  const SIMULATOR = "__SIMULATOR_URL__";
  const FINAL = ["completed", "busy", "no-answer", "failed", "canceled"];

  class Emitter {
    constructor() {
      this.handlers = {};
    }
    on(event, handler) {
      this.handlers[event] = [...(this.handlers[event] || []), handler];
      return this;
    }
    emit(event, ...args) {
      for (const handler of this.handlers[event] || []) handler(...args);
    }
  }

  class Call extends Emitter {
    constructor(sid) {
      super();
      this.parameters = { CallSid: sid };
      this.accepted = false;
      this.timer = setInterval(() => this.poll(), 300);
    }
    async poll() {
      try {
        const res = await fetch(`${SIMULATOR}/sandbox/voice/calls/${this.parameters.CallSid}`);
        const body = await res.json();
        if (!this.accepted && body.status === "in-progress") {
          this.accepted = true;
          this.emit("accept", this);
        }
        if (FINAL.includes(body.status)) {
          clearInterval(this.timer);
          this.emit("disconnect", this);
        }
      } catch (error) {
        clearInterval(this.timer);
        this.emit("error", error);
      }
    }
    disconnect() {
      fetch(`${SIMULATOR}/sandbox/voice/calls/${this.parameters.CallSid}/hangup`, { method: "POST" });
    }
  }

  class Device extends Emitter {
    constructor(token) {
      super();
      this.token = token;
    }
    updateToken(token) {
      this.token = token;
    }
    async connect({ params } = {}) {
      const res = await fetch(`${SIMULATOR}/sandbox/voice/connect`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: this.token, params }),
      });
      const body = await res.json();
      if (!res.ok) throw new Error(body.message || "The simulated Twilio refused the call");
      return new Call(body.callSid);
    }
  }

  window.Twilio = { Device, sandbox: true };
})();
