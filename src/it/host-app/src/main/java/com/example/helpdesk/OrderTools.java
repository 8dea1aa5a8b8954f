package com.example.helpdesk;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The help desk's order system, as tools the model calls. Keeps every order number it was asked about. */
@Component
public class OrderTools {

    private final List<String> lookedUp = new CopyOnWriteArrayList<>();

    @Tool("Looks up where an order is")
    public String orderStatus(@P("the order number") String orderNumber) {
        lookedUp.add(orderNumber);
        return "Order " + orderNumber + " left the warehouse yesterday.";
    }

    public List<String> lookedUp() {
        return lookedUp;
    }
}
