"use client";

import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { errorMessage, sendChat } from "@/lib/api";
import type { ToolCall } from "@/lib/types";

interface ChatEntry {
  id: number;
  role: "user" | "assistant" | "error";
  text: string;
  toolCalls?: ToolCall[];
}

interface ChatPanelProps {
  userId: string;
  /** Called after an answer in which the assistant ran at least one tool. */
  onToolCalls: (calls: ToolCall[]) => void;
}

function formatValue(value: unknown): string {
  if (typeof value === "string") return value;
  const json = JSON.stringify(value);
  if (json === undefined) return String(value);
  return json.length > 160 ? `${json.slice(0, 157)}…` : json;
}

/** "add_task(title: "buy milk")" — what the assistant did, in one line. */
export function describeToolCall(call: ToolCall): string {
  const args = Object.entries(call.arguments ?? {})
    .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
    .join(", ");
  return `${call.name}(${args})`;
}

/** The tool's result in one line, and whether the tool reported a failure. */
export function describeToolResult(result: ToolCall["result"]): { text: string; failed: boolean } | null {
  if (result === null || result === undefined) return null;
  const error = (result as { error?: unknown }).error;
  if (error !== undefined && error !== null) {
    return { text: `failed: ${formatValue(error)}`, failed: true };
  }
  return { text: formatValue(result), failed: false };
}

export function ChatPanel({ userId, onToolCalls }: ChatPanelProps) {
  const [entries, setEntries] = useState<ChatEntry[]>([]);
  const [message, setMessage] = useState("");
  const [sending, setSending] = useState(false);
  const [conversationId, setConversationId] = useState<number | null>(null);
  const nextId = useRef(1);
  const logRef = useRef<HTMLOListElement>(null);

  // A different user starts a different conversation.
  useEffect(() => {
    setEntries([]);
    setConversationId(null);
  }, [userId]);

  useEffect(() => {
    const log = logRef.current;
    if (log && typeof log.scrollTo === "function") {
      log.scrollTo({ top: log.scrollHeight });
    }
  }, [entries]);

  const append = (entry: Omit<ChatEntry, "id">) =>
    setEntries((current) => [...current, { ...entry, id: nextId.current++ }]);

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    const text = message.trim();
    if (text === "" || sending) return;
    append({ role: "user", text });
    setMessage("");
    setSending(true);
    try {
      const answer = await sendChat(userId, { conversation_id: conversationId, message: text });
      setConversationId(answer.conversation_id);
      const calls = Array.isArray(answer.tool_calls) ? answer.tool_calls : [];
      append({ role: "assistant", text: answer.response, toolCalls: calls });
      if (calls.length > 0) {
        onToolCalls(calls);
      }
    } catch (e) {
      append({ role: "error", text: errorMessage(e) });
      setMessage((current) => (current === "" ? text : current)); // let the user retry
    } finally {
      setSending(false);
    }
  };

  // Enter sends, Shift+Enter makes a new line.
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };

  const newConversation = () => {
    setEntries([]);
    setConversationId(null);
  };

  return (
    <section className="panel chat" aria-labelledby="chat-heading">
      <div className="panel__header">
        <h2 id="chat-heading">Assistant</h2>
        <button type="button" className="link-button" onClick={newConversation} disabled={sending}>
          New conversation
        </button>
      </div>

      <ol className="chat__log" ref={logRef} role="log" aria-live="polite" aria-label="Conversation">
        {entries.length === 0 ? (
          <li className="chat__hint">Try “add buy milk”, “what is pending?” or “complete task 1”.</li>
        ) : null}
        {entries.map((entry) => (
          <li key={entry.id} className={`chat__entry chat__entry--${entry.role}`}>
            <span className="visually-hidden">
              {entry.role === "user" ? "You said:" : entry.role === "assistant" ? "Assistant:" : "Error:"}
            </span>
            {entry.role === "error" ? (
              <p role="alert">{entry.text}</p>
            ) : (
              <p className="chat__text">{entry.text}</p>
            )}
            {entry.toolCalls && entry.toolCalls.length > 0 ? (
              <ul className="chat__tools" aria-label="What the assistant did">
                {entry.toolCalls.map((call, index) => {
                  const result = describeToolResult(call.result);
                  return (
                    <li key={index}>
                      <code>{describeToolCall(call)}</code>
                      {result ? (
                        <span className={result.failed ? "chat__result chat__result--failed" : "chat__result"}>
                          {" → "}
                          {result.text}
                        </span>
                      ) : null}
                    </li>
                  );
                })}
              </ul>
            ) : null}
          </li>
        ))}
        {sending ? <li className="chat__entry chat__entry--pending">Assistant is thinking…</li> : null}
      </ol>

      <form className="chat__form" onSubmit={send}>
        <label htmlFor="chat-message">Message</label>
        <div className="chat__row">
          <textarea
            id="chat-message"
            name="message"
            rows={2}
            value={message}
            maxLength={4000}
            placeholder="Ask the assistant to manage your tasks"
            onChange={(e) => setMessage(e.target.value)}
            onKeyDown={onKeyDown}
          />
          <button type="submit" className="primary" aria-disabled={sending}>
            {sending ? "Sending…" : "Send"}
          </button>
        </div>
      </form>
    </section>
  );
}
