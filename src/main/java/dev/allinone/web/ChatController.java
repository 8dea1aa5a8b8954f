package dev.allinone.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.allinone.companion.ConversationService;
import dev.allinone.conversation.ConversationRecord;
import dev.allinone.engine.scheduling.RequestControl;
import dev.allinone.security.Caller;
import dev.allinone.sentiment.Sentiment;
import dev.allinone.web.errors.ApiController;
import dev.allinone.web.errors.BadRequestException;
import dev.allinone.web.errors.ProblemResponses;
import dev.allinone.web.errors.Problems;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;

import java.time.Instant;
import java.util.List;

/**
 * The support chat: {@code POST /api/chat} labels and answers a message (starting a conversation when no id
 * is given); {@code GET} and {@code DELETE /api/conversations/{id}} read and forget a conversation. With API
 * keys on, a conversation is visible only to the key that started it; to others it does not exist (404).
 */
@RestController
@ApiController
@RequestMapping("/api")
@Tag(name = "Support chat", description = "Every message labelled with its sentiment and answered by the companion")
class ChatController {

    record ChatRequest(String conversationId, @Text String message) {
    }

    record ChatResponse(String conversationId, String reply, Sentiment sentiment) {
    }

    record MessageView(String role, String text, Sentiment sentiment, Instant at) {
    }

    record ConversationView(String conversationId, Instant createdAt, List<MessageView> messages) {
    }

    private final ConversationService conversations;
    private final InputLimits limits;
    private final Problems problems;
    private final ObjectMapper json;

    ChatController(ConversationService conversations, InputLimits limits, Problems problems, ObjectMapper json) {
        this.conversations = conversations;
        this.limits = limits;
        this.problems = problems;
        this.json = json;
    }

    @Operation(summary = "Label and answer a message; without conversationId a new conversation starts")
    @ProblemResponses
    @ApiResponse(responseCode = "404", description = "Unknown or expired conversation",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    @ApiResponse(responseCode = "409", description = "Another request changed the conversation meanwhile; nothing was kept, send again",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    @PostMapping("/chat")
    ChatResponse chat(@Valid @RequestBody ChatRequest request, HttpServletRequest http) {
        checkId(request.conversationId(), "conversationId");
        limits.check("message", request.message());
        ConversationService.TurnResult turn = conversations.chat(Caller.of(http).owner(), request.conversationId(),
                request.message());
        return new ChatResponse(turn.conversationId(), turn.reply(), turn.sentiment().sentiment());
    }

    /**
     * The same turn as Server-Sent Events: {@code sentiment}, then {@code delta}s of the answer, then
     * {@code done} with usage and finish reason, or {@code error} with problem details. Errors before the
     * stream starts are plain problem responses with their status.
     */
    @Operation(summary = "The same turn as Server-Sent Events: sentiment, delta..., done (or error)")
    @ProblemResponses
    @PostMapping(path = "/chat/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    ResponseEntity<ResponseBodyEmitter> chatStream(@Valid @RequestBody ChatRequest request, HttpServletRequest http) {
        checkId(request.conversationId(), "conversationId");
        limits.check("message", request.message());
        RequestControl control = RequestControl.current();
        SseEventQueue events = new SseEventQueue(control, json);
        conversations.chatStream(Caller.of(http).owner(), request.conversationId(), request.message(), control,
                new SseTurnWriter(events, problems::of));
        return events.response();
    }

    @Operation(summary = "A conversation's messages, each user message with its sentiment")
    @ApiResponse(responseCode = "404", description = "Unknown or expired conversation",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    @GetMapping("/conversations/{id}")
    ConversationView conversation(@PathVariable String id, HttpServletRequest http) {
        checkId(id, "id");
        ConversationRecord conversation = conversations.find(Caller.of(http).owner(), id);
        List<MessageView> messages = conversation.history().stream()
                .map(e -> new MessageView(e.role(), e.text(), e.sentiment() == null ? null : Sentiment.valueOf(e.sentiment()), e.at()))
                .toList();
        return new ConversationView(conversation.id(), conversation.createdAt(), messages);
    }

    @Operation(summary = "Forget a conversation")
    @ApiResponse(responseCode = "204", description = "Forgotten")
    @ApiResponse(responseCode = "404", description = "Unknown or expired conversation",
            content = @Content(mediaType = "application/problem+json", schema = @Schema(implementation = ProblemDetail.class)))
    @DeleteMapping("/conversations/{id}")
    ResponseEntity<Void> delete(@PathVariable String id, HttpServletRequest http) {
        checkId(id, "id");
        conversations.delete(Caller.of(http).owner(), id);
        return ResponseEntity.noContent().build();
    }

    /** Conversation ids are what this API hands out (UUIDs); anything else is refused without being echoed. */
    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

    /** A conversation id as sent: absent (a new conversation, for a chat turn), or one this API could have given. */
    private static void checkId(String id, String param) {
        if (id == null) {
            return;
        }
        if (id.isBlank()) {
            throw new BadRequestException(param + " must not be empty: leave it out to start a new conversation", param);
        }
        if (!ID.matcher(id).matches()) {
            throw new BadRequestException(param + " is not a conversation id: use the conversationId an earlier answer "
                    + "returned (letters, digits, '-' and '_', at most 64)", param);
        }
    }
}
