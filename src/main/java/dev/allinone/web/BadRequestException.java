package dev.allinone.web;

/** A request the API cannot take as sent (a malformed header, say). */
class BadRequestException extends RuntimeException {

    BadRequestException(String message) {
        super(message);
    }
}
