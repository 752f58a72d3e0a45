// Dealwise web chat: plain JS, no build step. The API key lives in sessionStorage;
// threads (id, title, messages) in localStorage per key prefix.
"use strict";

const $ = (sel) => document.querySelector(sel);
const state = { key: null, threads: [], current: null };

// ---- a tiny, safe markdown renderer: HTML is escaped before any markup is added ----
function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => (
    { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function inline(text) {
  // `text` is already escaped; links only for http(s) URLs.
  return text
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[^*])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>")
    .replace(/\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g,
      '<a href="$2" target="_blank" rel="noopener noreferrer">$1</a>');
}

function tableHtml(rows) {
  const cells = (row) => row.replace(/^\||\|$/g, "").split("|").map((c) => inline(c.trim()));
  const [head, , ...body] = rows;
  const th = cells(head).map((c) => `<th>${c}</th>`).join("");
  const trs = body.map((r) => `<tr>${cells(r).map((c) => `<td>${c}</td>`).join("")}</tr>`);
  return `<table><thead><tr>${th}</tr></thead><tbody>${trs.join("")}</tbody></table>`;
}

function renderMarkdown(source) {
  const lines = escapeHtml(source).split("\n");
  const out = [];
  let list = null;
  let para = [];
  const flushPara = () => { if (para.length) out.push(`<p>${inline(para.join(" "))}</p>`); para = []; };
  const closeList = () => { if (list) out.push(`</${list}>`); list = null; };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith("```")) {
      flushPara(); closeList();
      const code = [];
      while (++i < lines.length && !lines[i].startsWith("```")) code.push(lines[i]);
      out.push(`<pre><code>${code.join("\n")}</code></pre>`);
    } else if (/^\s*\|.*\|\s*$/.test(line) && /^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1] || "")) {
      flushPara(); closeList();
      const rows = [];
      while (i < lines.length && /^\s*\|.*\|\s*$/.test(lines[i])) rows.push(lines[i++].trim());
      i--;
      out.push(tableHtml(rows));
    } else if (/^#{1,4} /.test(line)) {
      flushPara(); closeList();
      const level = Math.min(line.indexOf(" ") + 2, 6);
      out.push(`<h${level}>${inline(line.replace(/^#+ /, ""))}</h${level}>`);
    } else if (/^\s*([-*]|\d+\.) /.test(line)) {
      flushPara();
      const kind = /^\s*\d+\./.test(line) ? "ol" : "ul";
      if (list !== kind) { closeList(); out.push(`<${kind}>`); list = kind; }
      out.push(`<li>${inline(line.replace(/^\s*([-*]|\d+\.) /, ""))}</li>`);
    } else if (!line.trim()) {
      flushPara(); closeList();
    } else {
      closeList(); para.push(line);
    }
  }
  flushPara(); closeList();
  return out.join("");
}

// ---- API ----
async function api(path, options = {}) {
  const headers = { Authorization: `Bearer ${state.key}`, ...(options.headers || {}) };
  if (options.body) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { ...options, headers });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error((body.error && body.error.message) || `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

// ---- threads (kept in localStorage) ----
const storeKey = () => `dealwise.threads.${state.key.split("_")[1] || "x"}`;
function loadThreads() { state.threads = JSON.parse(localStorage.getItem(storeKey()) || "[]"); }
function saveThreads() { localStorage.setItem(storeKey(), JSON.stringify(state.threads.slice(0, 30))); }

function renderThreads() {
  const list = $("#threads");
  list.replaceChildren();
  for (const thread of state.threads) {
    const item = document.createElement("li");
    item.textContent = thread.title;
    item.className = thread === state.current ? "active" : "";
    item.onclick = () => { state.current = thread; renderThreads(); renderMessages(); };
    list.append(item);
  }
}

function renderMessages() {
  const box = $("#messages");
  box.replaceChildren();
  for (const message of (state.current ? state.current.messages : [])) box.append(messageNode(message));
  box.scrollTop = box.scrollHeight;
}

// ---- messages ----
function messageNode(message) {
  const node = document.createElement("div");
  node.className = `msg ${message.role}`;
  if (message.role === "user") node.textContent = message.text;
  else if (message.role === "error") node.textContent = message.text;
  else if (message.review) node.innerHTML = reviewHtml(message.review);
  else node.innerHTML = answerHtml(message.answer);
  return node;
}

function figuresHtml(result) {
  const rows = Object.entries(result || {})
    .filter(([, v]) => v === null || ["number", "string", "boolean"].includes(typeof v))
    .slice(0, 14)
    .map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(v)}</td></tr>`);
  return rows.length ? `<table class="figures">${rows.join("")}</table>` : "";
}

function answerHtml(answer) {
  const calls = answer.tool_calls.map((call) => `
    <div class="call"><code>${escapeHtml(call.name)}(${escapeHtml(JSON.stringify(call.args))})</code>
      · ${call.duration_ms.toFixed(1)} ms
      ${call.error ? `<div class="error">${escapeHtml(call.error)}</div>` : figuresHtml(call.result)}
    </div>`).join("");
  const notice = answer.notice ? `<div class="meta">${escapeHtml(answer.notice)}</div>` : "";
  const tools = answer.tool_calls.map((c) => c.name).join(", ") || "no tools";
  return `${renderMarkdown(answer.text)}${notice}
    <div class="meta">${escapeHtml(answer.planner)} planner · ${answer.citations.length} sources</div>
    <details class="trace"><summary>Tool trace: ${escapeHtml(tools)}</summary>${calls}</details>`;
}

function reviewHtml(review) {
  const d = review.deal;
  const money = (x) => `${escapeHtml(d.currency)} ${Number(x).toLocaleString("en", { minimumFractionDigits: 2 })}`;
  const win = review.win ? `${Math.round(review.win.probability * 100)}%` : escapeHtml(review.win_note || "n/a");
  const risks = review.risks.map((r) => `<li>${escapeHtml(`${r.severity}: ${r.message}`)}</li>`).join("");
  const actions = review.actions.map((a) => `<li>${escapeHtml(a.message)}</li>`).join("");
  return `<div class="review"><h3>Deal review: ${escapeHtml(d.name)}</h3>
    <div class="kv"><span>Account</span><span>${escapeHtml(d.account_name || "-")}</span>
      <span>Stage</span><span>${escapeHtml(d.stage)}</span>
      <span>Amount</span><span>${money(d.amount)}</span>
      <span>Close date</span><span>${escapeHtml(d.close_date || "-")}</span>
      <span>Win probability</span><span>${win}</span>
      <span>Health</span><span>${escapeHtml(review.health.score ?? "-")}</span></div>
    ${risks ? `<h4>Risks</h4><ul>${risks}</ul>` : ""}
    ${actions ? `<h4>Next actions</h4><ul>${actions}</ul>` : ""}</div>`;
}

function push(message) {
  if (!state.current) {
    const title = message.text ? message.text.slice(0, 40) : "Deal review";
    state.current = { id: null, title, messages: [] };
    state.threads.unshift(state.current);
  }
  state.current.messages.push(message);
  state.current.messages = state.current.messages.slice(-50);
  saveThreads(); renderThreads(); renderMessages();
}

async function ask(question) {
  push({ role: "user", text: question });
  const thread = state.current;
  try {
    const answer = await api("/v1/ask", {
      method: "POST", body: JSON.stringify({ question, thread_id: thread.id }),
    });
    thread.id = answer.thread_id;
    push({ role: "assistant", answer });
  } catch (error) {
    if (error.status === 404 && thread.id) thread.id = null;  // thread expired: start anew
    push({ role: "error", text: error.message });
  }
}

async function openReview(id) {
  try {
    push({ role: "assistant", review: await api(`/v1/opportunities/${encodeURIComponent(id)}/review`) });
  } catch (error) {
    push({ role: "error", text: error.message });
  }
}

// ---- login ----
async function signIn(key) {
  state.key = key;
  try {
    const me = await api("/v1/me");
    sessionStorage.setItem("dealwise.key", key);
    $("#whoami").textContent = `${me.name} · ${me.role}`;
    $("#login").hidden = true;
    $("#app").hidden = false;
    loadThreads();
    state.current = state.threads[0] || null;
    renderThreads(); renderMessages();
    $("#question").focus();
  } catch (error) {
    state.key = null;
    sessionStorage.removeItem("dealwise.key");
    $("#login-error").textContent = error.message;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("#login-form").onsubmit = (e) => { e.preventDefault(); signIn($("#api-key").value.trim()); };
  $("#ask-form").onsubmit = (e) => {
    e.preventDefault();
    const question = $("#question").value.trim();
    if (question) { $("#question").value = ""; ask(question); }
  };
  $("#question").onkeydown = (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("#ask-form").requestSubmit(); }
  };
  $("#review-form").onsubmit = (e) => {
    e.preventDefault();
    const id = $("#review-id").value.trim();
    if (id) openReview(id);
  };
  $("#new-thread").onclick = () => { state.current = null; renderThreads(); renderMessages(); };
  $("#logout").onclick = () => { sessionStorage.removeItem("dealwise.key"); location.reload(); };
  const saved = sessionStorage.getItem("dealwise.key");
  if (saved) signIn(saved);
});
