package dev.allinone.web;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.allinone.web.errors.MalformedBodyException;

import java.io.IOException;

/**
 * A JSON request body checked as a whole before any controller reads it: well-formed UTF-8 ({@link Utf8Check}),
 * and exactly one JSON value with no key twice in one object and nothing after it. Spring's JSON reader accepts
 * {@code {"text":"a"}garbage} and {@code {"text":"a","text":"b"}} (the last key wins) without a word; a client
 * that sends either has a bug it should hear about. Checked here, for this API's requests only, so that the
 * host application's JSON settings stay as they are.
 */
final class JsonBody {

    private static final JsonFactory STRICT = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private JsonBody() {
    }

    /** @throws MalformedBodyException saying what is wrong and where */
    static void check(byte[] body) throws MalformedBodyException {
        Utf8Check utf8 = new Utf8Check();
        utf8.check(body, 0, body.length);
        utf8.finish();
        try (JsonParser parser = STRICT.createParser(body)) {
            if (parser.nextToken() == null) {
                return; // empty: the controller says what is missing
            }
            parser.skipChildren();
            var end = parser.currentLocation();
            JsonToken after;
            try {
                after = parser.nextToken();
            } catch (JsonParseException garbage) {
                after = JsonToken.NOT_AVAILABLE;
            }
            if (after != null) {
                throw new MalformedBodyException("The request body is not valid JSON: it goes on after the JSON value, "
                        + "which ends at line " + end.getLineNr() + ", column " + end.getColumnNr());
            }
        } catch (JsonParseException e) {
            throw new MalformedBodyException("The request body is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (MalformedBodyException e) {
            throw e;
        } catch (IOException e) {
            throw new MalformedBodyException("The request body is not valid JSON: " + e.getMessage());
        }
    }
}
