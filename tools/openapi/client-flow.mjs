// @ts-check
// A client generated from Backchannel's OpenAPI document (openapi-typescript, into generated/backchannel.d.ts) drives
// a request, its acceptance and a message through openapi-fetch. `tsc --checkJs` checks it against the generated
// types before node runs it, so a route, a field or a type the document gets wrong fails here.
// Usage: BASE_URL=… REQUESTER_TOKEN=… RECIPIENT_TOKEN=… RECIPIENT=… node client-flow.mjs
import createClient from "openapi-fetch";

/** @typedef {import("./generated/backchannel.js").paths} paths */

// Node's globals without @types/node: the environment is all this script reads of them.
/** @type {Record<string, string | undefined>} */
const env = /** @type {any} */ (globalThis).process.env;
const { BASE_URL, REQUESTER_TOKEN, RECIPIENT_TOKEN, RECIPIENT } = env;
if (!BASE_URL || !REQUESTER_TOKEN || !RECIPIENT_TOKEN || !RECIPIENT) throw new Error("BASE_URL, REQUESTER_TOKEN, RECIPIENT_TOKEN and RECIPIENT are needed");

/** @param {string} token */
const clientOf = (token) => createClient(/** @type {import("openapi-fetch").ClientOptions} */ ({ baseUrl: BASE_URL, headers: { Authorization: `Bearer ${token}` } }));
/** @type {import("openapi-fetch").Client<paths>} */
const requester = clientOf(REQUESTER_TOKEN);
/** @type {import("openapi-fetch").Client<paths>} */
const recipient = clientOf(RECIPIENT_TOKEN);

/** @param {unknown} condition @param {string} what @returns {asserts condition} */
function check(condition, what) {
  if (!condition) throw new Error(`failed: ${what}`);
}

const opened = await requester.POST("/conversations", { body: { to: [RECIPIENT], text: "hello from a generated client" } });
check(opened.response.status === 201 && opened.data, `request answered ${opened.response.status}`);
const conversationId = opened.data.conversationId;
check(opened.response.headers.get("Location") === `/conversations/${conversationId}`, "Location names the conversation");

const waiting = await recipient.GET("/inbox/requests", { params: { query: { limit: 10 } } });
check(waiting.data, `requests inbox answered ${waiting.response.status}`);
const request = waiting.data.items.find((r) => r.conversationId === conversationId);
check(request, "the request waits for its recipient");
/** @type {number} */
const waitingMessages = request.waitingMessages;
check(waitingMessages === 1 && request.openingMessage?.text === "hello from a generated client", "the opening message is shown");

const accepted = await recipient.POST("/conversations/{id}/accept", { params: { path: { id: conversationId } } });
check(accepted.response.status === 204, `accept answered ${accepted.response.status}`);

const sent = await requester.POST("/conversations/{id}/messages", { params: { path: { id: conversationId } }, body: { text: "glad you accepted" } });
check(sent.response.status === 201 && sent.data, `send answered ${sent.response.status}`);

const thread = await recipient.GET("/conversations/{id}", { params: { path: { id: conversationId }, query: { limit: 50 } } });
check(thread.data, `thread answered ${thread.response.status}`);
const texts = thread.data.messages.map((m) => m.text);
check(texts.join("|") === "hello from a generated client|glad you accepted", `the thread reads ${texts.join("|")}`);

const inbox = await recipient.GET("/inbox", {});
check(inbox.data && inbox.data.items.some((i) => i.conversationId === conversationId), "the conversation is in the recipient's inbox");

const refused = await recipient.GET("/inbox", { params: { query: { limit: 100000 } } });
check(refused.response.status === 400 && refused.error, `a limit over the maximum answered ${refused.response.status}`);
const problem = /** @type {{ type: string, code?: string | null, errors?: Record<string, string[]> | null }} */ (refused.error);
check(problem.errors && "limit" in problem.errors && problem.code === "invalid_input", "the 400 is ProblemDetails naming limit");

console.log(JSON.stringify({ conversationId, messageId: sent.data.messageId, messages: texts.length }));
