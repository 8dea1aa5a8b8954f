package dev.allinone.web.errors;

/** A client already has as many requests in flight as allinone.api.max-concurrent-per-client allows. */
public class ClientLimitException extends RuntimeException {

    public ClientLimitException(int limit) {
        super("This client already has " + limit + " requests in flight; wait for one to finish");
    }
}
