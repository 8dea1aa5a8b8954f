package dev.allinone.testing;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ToolChoice;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A shop's tools for tests: what each call received is kept, so a test sees what LangChain4j bound. */
public class ShopTools {

    public enum Reason { DAMAGED, LATE, WRONG_ITEM }

    private final List<String> calls = new CopyOnWriteArrayList<>();

    public List<String> calls() {
        return calls;
    }

    /**
     * What every kept call looks like when its arguments were bound to the method's parameters (a string argument
     * of a random model may hold line breaks).
     */
    public static final String BOUND = "(?s)orderStatus\\(.*\\)|refund\\(.*, -?\\d+, [A-Z_]+\\)|today\\(\\)";

    @Tool("Looks up where an order is")
    public String orderStatus(@P("the order number, like A-1234") String orderId) {
        calls.add("orderStatus(" + orderId + ")");
        return "Order " + orderId + " left the warehouse yesterday.";
    }

    @Tool("Refunds part of an order")
    public String refund(@P("the order number") String orderId, @P("how much, in cents") int amountCents, Reason reason) {
        calls.add("refund(" + orderId + ", " + amountCents + ", " + reason + ")");
        return "Refunded " + amountCents + " cents.";
    }

    @Tool("Today's date")
    public String today() {
        calls.add("today()");
        return "2026-12-03";
    }

    /**
     * For an AI service's request transformer: a tool call first (REQUIRED while the last message is the
     * customer's), then the answer (NONE). LangChain4j keeps a request's tool choice for every round, and REQUIRED
     * in every round would call tools until its limit.
     */
    public static ChatRequest callFirst(ChatRequest request) {
        ToolChoice choice = request.messages().getLast() instanceof UserMessage ? ToolChoice.REQUIRED : ToolChoice.NONE;
        return request.toBuilder().parameters(request.parameters()
                .overrideWith(ChatRequestParameters.builder().toolChoice(choice).build())).build();
    }
}
