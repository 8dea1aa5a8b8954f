package dev.allinone.web;

/** A client already has as many requests in flight as allinone.api.max-concurrent-per-client allows. */
class ClientLimitException extends RuntimeException {

    ClientLimitException(int limit) {
        super("This client already has " + limit + " requests in flight; wait for one to finish");
    }
}
