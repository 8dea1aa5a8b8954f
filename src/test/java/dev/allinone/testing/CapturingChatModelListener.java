package dev.allinone.testing;

import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.request.ChatRequest;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records every request the chat model receives: what the model was really shown. */
public class CapturingChatModelListener implements ChatModelListener {

    private final List<ChatRequest> requests = new CopyOnWriteArrayList<>();

    @Override
    public void onRequest(ChatModelRequestContext context) {
        requests.add(context.chatRequest());
    }

    public List<ChatRequest> requests() {
        return requests;
    }

    public void clear() {
        requests.clear();
    }
}
