// Subscribes with the official CometD JavaScript client and prints what it receives as JSON lines.
// Usage: node cometd-listener.mjs URL USER PASSWORD TOPIC   (close stdin to disconnect and exit)
import { adapt } from "cometd-nodejs-client";
import { CometD } from "cometd";

adapt();
const [url, user, password, topic] = process.argv.slice(2);
const print = (event) => console.log(JSON.stringify(event));
const cometd = new CometD();
cometd.unregisterTransport("websocket"); // GWS (and the reference server) serve long polling only
cometd.configure({
    url,
    logLevel: process.env.COMETD_LOG_LEVEL || "warn",
    requestHeaders: { Authorization: "Basic " + Buffer.from(`${user}:${password}`).toString("base64") },
});
cometd.handshake((handshake) => {
    if (!handshake.successful) {
        print({ event: "handshake-failed", reply: handshake });
        process.exit(2);
    }
    cometd.subscribe(topic, (message) => print({ event: "message", channel: message.channel, data: message.data }),
        (reply) => print({ event: reply.successful ? "subscribed" : "subscribe-failed",
                           transport: cometd.getTransport().type, clientId: cometd.getClientId() }));
});
process.stdin.on("end", () => cometd.disconnect(() => process.exit(0)));
process.stdin.resume();
