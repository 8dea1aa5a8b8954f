package dev.allinone.conversation;

class InMemoryConversationRepositoryTest extends ConversationRepositoryContract {

    @Override
    ConversationRepository open() {
        return new InMemoryConversationRepository();
    }
}
