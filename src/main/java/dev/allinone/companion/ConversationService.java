package dev.allinone.companion;

import dev.allinone.conversation.ConversationRecord;
import dev.allinone.conversation.HistoryEntry;
import dev.allinone.engine.api.DeadlineExceededException;
import dev.allinone.engine.scheduling.RequestControl;
import dev.allinone.sentiment.SentimentAnalyst;
import dev.allinone.sentiment.SentimentScores;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;

import java.time.Instant;
import java.util.concurrent.CancellationException;

/**
 * A support conversation turn, as the product defines it: every user message is labelled with its sentiment
 * and answered by the companion, and both are kept in the conversation's history.
 *
 * <p>Turns of one conversation run one at a time, each waiting at most until its request's deadline. A turn
 * is kept — written to the conversation store — before its reply is returned; a turn that does not complete
 * (the model failed, the deadline passed, the client went away) leaves the conversation as it was.
 *
 * <p>{@code owner} is the caller's API key name, or null when keys are off: a conversation is visible only to
 * the key that created it, and to anyone when keys are off.
 */
public class ConversationService {

    /** What one turn produced. */
    public record TurnResult(String conversationId, String reply, SentimentScores sentiment) {
    }

    /** Receives a streamed turn; called from the model's thread, so it must be quick. */
    public interface StreamListener {
        /** First, before any text: the conversation and the message's sentiment. */
        void started(String conversationId, SentimentScores sentiment);

        void text(String delta);

        /** The answer is complete and kept. */
        void completed(ChatResponse response);

        /** The turn failed; the conversation is as it was before it. */
        void failed(Throwable error);
    }

    private final CompanionConversations store;
    private final Companion companion;
    private final SentimentAnalyst analyst;

    public ConversationService(CompanionConversations store, Companion companion, SentimentAnalyst analyst) {
        this.store = store;
        this.companion = companion;
        this.analyst = analyst;
        store.onForget(companion::evictChatMemory);
    }

    /**
     * Labels and answers {@code message} in conversation {@code conversationId}, or in a new conversation when
     * it is null.
     */
    public TurnResult chat(String owner, String conversationId, String message) {
        try (CompanionConversations.PendingTurn turn = begin(owner, conversationId)) {
            String id = turn.conversationId();
            try {
                SentimentScores sentiment = SentimentScores.of(analyst.analyzeWithDetails(message));
                String reply = companion.chat(id, message);
                Instant now = Instant.now();
                turn.commit(HistoryEntry.user(message, sentiment.sentiment().name(), now), HistoryEntry.assistant(reply, now));
                return new TurnResult(id, reply, sentiment);
            } finally {
                companion.evictChatMemory(id);
            }
        }
    }

    /**
     * The same turn, streamed. Everything that can fail before the answer starts (unknown conversation, a
     * busy model, the sentiment) fails here, by exception; after {@link StreamListener#started} failures reach
     * {@link StreamListener#failed}. Cancelling {@code control} stops the answer within one token.
     */
    public void chatStream(String owner, String conversationId, String message, RequestControl control,
                           StreamListener listener) {
        CompanionConversations.PendingTurn turn = begin(owner, conversationId);
        String id = turn.conversationId();
        boolean streaming = false;
        try {
            SentimentScores sentiment = SentimentScores.of(analyst.analyzeWithDetails(message));
            listener.started(id, sentiment);
            streaming = true;
            companion.chatStream(id, message)
                    .onPartialResponse(listener::text)
                    .onCompleteResponse(response -> {
                        try {
                            if (control.stop() || response.finishReason() == FinishReason.OTHER) {
                                throw control.expired()
                                        ? new DeadlineExceededException("The request's deadline passed during the answer")
                                        : new CancellationException("The answer was cancelled");
                            }
                            Instant now = Instant.now();
                            turn.commit(HistoryEntry.user(message, sentiment.sentiment().name(), now),
                                    HistoryEntry.assistant(response.aiMessage().text(), now));
                        } catch (RuntimeException e) {
                            end(turn);
                            listener.failed(e);
                            return;
                        }
                        end(turn);
                        listener.completed(response);
                    })
                    .onError(error -> {
                        end(turn);
                        listener.failed(error);
                    })
                    .start();
        } catch (RuntimeException | Error e) {
            end(turn);
            if (!streaming) {
                throw e;
            }
            listener.failed(e);
        }
    }

    /** The conversation, if {@code owner} may see it. */
    public ConversationRecord find(String owner, String conversationId) {
        return store.find(owner, conversationId).orElseThrow(() -> new ConversationNotFoundException(conversationId));
    }

    public void delete(String owner, String conversationId) {
        if (!store.delete(owner, conversationId)) {
            throw new ConversationNotFoundException(conversationId);
        }
    }

    private void end(CompanionConversations.PendingTurn turn) {
        companion.evictChatMemory(turn.conversationId()); // its memory is in the store; nothing to keep here
        turn.close();
    }

    /** Takes the conversation's turn, waiting at most until the request's deadline. */
    private CompanionConversations.PendingTurn begin(String owner, String conversationId) {
        try {
            CompanionConversations.PendingTurn turn = store.begin(owner, conversationId, RequestControl.current().remainingNanos());
            if (turn == null) {
                throw new DeadlineExceededException("The request's deadline passed while an earlier message of"
                        + " the same conversation was being answered");
            }
            return turn;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("Interrupted");
        }
    }
}
