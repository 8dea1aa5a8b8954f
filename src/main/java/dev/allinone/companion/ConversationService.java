package dev.allinone.companion;

import dev.allinone.engine.DeadlineExceededException;
import dev.allinone.engine.RequestControl;
import dev.allinone.sentiment.SentimentAnalyst;
import dev.allinone.sentiment.SentimentScores;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A support conversation turn, as the product defines it: every user message is labelled with its sentiment
 * and answered by the companion, and both are kept in the conversation's history.
 *
 * <p>Turns of one conversation run one at a time, each waiting at most until its request's deadline. A turn
 * that does not complete (the model failed, the deadline passed, the client went away) leaves the
 * conversation as it was: only answered messages are remembered.
 */
public class ConversationService {

    /** What one turn produced. */
    public record Turn(String conversationId, String reply, SentimentScores sentiment) {
    }

    /** Receives a streamed turn; called from the model's thread, so it must be quick. */
    public interface StreamListener {
        /** First, before any text: the conversation and the message's sentiment. */
        void started(String conversationId, SentimentScores sentiment);

        void text(String delta);

        /** The answer is complete and remembered. */
        void completed(ChatResponse response);

        /** The turn failed; the conversation is as it was before it. */
        void failed(Throwable error);
    }

    private final ConversationStore store;
    private final Companion companion;
    private final SentimentAnalyst analyst;

    public ConversationService(ConversationStore store, Companion companion, SentimentAnalyst analyst) {
        this.store = store;
        this.companion = companion;
        this.analyst = analyst;
        // LangChain4j keeps a ChatMemory object per conversation id; drop it when the conversation goes.
        store.onForget(companion::evictChatMemory);
    }

    /**
     * Labels and answers {@code message} in conversation {@code conversationId}, or in a new conversation when
     * it is null.
     */
    public Turn chat(String conversationId, String message) {
        Begun turn = begin(conversationId);
        try {
            SentimentScores sentiment = SentimentScores.of(analyst.analyzeWithDetails(message));
            String reply = companion.chat(turn.conversation.id(), message);
            Instant now = Instant.now();
            turn.conversation.record(new Conversation.Entry("user", message, sentiment.sentiment(), now),
                    new Conversation.Entry("assistant", reply, null, now));
            turn.end(true);
            return new Turn(turn.conversation.id(), reply, sentiment);
        } catch (RuntimeException | Error e) {
            turn.end(false);
            throw e;
        }
    }

    /**
     * The same turn, streamed. Everything that can fail before the answer starts (unknown conversation, a
     * busy model, the sentiment) fails here, by exception; after {@link StreamListener#started} failures reach
     * {@link StreamListener#failed}. Cancelling {@code control} stops the answer within one token.
     */
    public void chatStream(String conversationId, String message, RequestControl control, StreamListener listener) {
        Begun turn = begin(conversationId);
        boolean streaming = false;
        try {
            SentimentScores sentiment = SentimentScores.of(analyst.analyzeWithDetails(message));
            String id = turn.conversation.id();
            listener.started(id, sentiment);
            streaming = true;
            companion.chatStream(id, message)
                    .onPartialResponse(listener::text)
                    .onCompleteResponse(response -> {
                        boolean complete = !control.stop() && response.finishReason() != FinishReason.OTHER;
                        if (complete) {
                            Instant now = Instant.now();
                            turn.conversation.record(new Conversation.Entry("user", message, sentiment.sentiment(), now),
                                    new Conversation.Entry("assistant", response.aiMessage().text(), null, now));
                        }
                        turn.end(complete);
                        if (complete) {
                            listener.completed(response);
                        } else {
                            listener.failed(control.expired()
                                    ? new DeadlineExceededException("The request's deadline passed during the answer")
                                    : new java.util.concurrent.CancellationException("The answer was cancelled"));
                        }
                    })
                    .onError(error -> {
                        turn.end(false);
                        listener.failed(error);
                    })
                    .start();
        } catch (RuntimeException | Error e) {
            if (streaming) {
                turn.end(false);
                listener.failed(e);
            } else {
                turn.end(false);
                throw e;
            }
        }
    }

    public Conversation find(String conversationId) {
        return store.find(conversationId).orElseThrow(() -> new ConversationNotFoundException(conversationId));
    }

    public void delete(String conversationId) {
        if (!store.delete(conversationId)) {
            throw new ConversationNotFoundException(conversationId);
        }
    }

    /** A turn holding its conversation: ends once, restoring the conversation unless the turn completed. */
    private final class Begun {
        final Conversation conversation;
        final boolean created;
        final List<ChatMessage> memoryBefore;
        final AtomicBoolean ended = new AtomicBoolean();

        Begun(Conversation conversation, boolean created) {
            this.conversation = conversation;
            this.created = created;
            this.memoryBefore = conversation.memory();
        }

        void end(boolean completed) {
            if (!ended.compareAndSet(false, true)) {
                return;
            }
            if (!completed) {
                if (created) {
                    store.delete(conversation.id());
                } else {
                    conversation.memory(memoryBefore);
                }
            }
            conversation.turn().release();
        }
    }

    /** Takes the conversation's turn, waiting at most until the request's deadline. */
    private Begun begin(String conversationId) {
        boolean created = conversationId == null;
        Conversation conversation = created ? store.create() : find(conversationId);
        RequestControl control = RequestControl.current();
        try {
            long wait = control.remainingNanos();
            boolean acquired = wait == Long.MAX_VALUE ? acquire(conversation)
                    : conversation.turn().tryAcquire(wait, TimeUnit.NANOSECONDS);
            if (!acquired) {
                throw new DeadlineExceededException("The request's deadline passed while an earlier message of"
                        + " the same conversation was being answered");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.util.concurrent.CancellationException("Interrupted");
        }
        if (store.find(conversation.id()).isEmpty()) {
            conversation.turn().release();
            throw new ConversationNotFoundException(conversation.id()); // deleted while this turn waited
        }
        return new Begun(conversation, created);
    }

    private static boolean acquire(Conversation conversation) throws InterruptedException {
        conversation.turn().acquire();
        return true;
    }
}
