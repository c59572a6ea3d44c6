package dev.ferry.local.apiserver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;

/** The local API's own answers: JSON bodies and {@code Status} objects for errors. */
final class ApiResponses {
    private ApiResponses() {
    }

    static MockResponse ok(JsonNode body) {
        return new MockResponse().setResponseCode(200).setBody(body.toString());
    }

    static MockResponse okOrNotFound(JsonNode body) {
        return body != null ? ok(body) : notFound();
    }

    static MockResponse notFound() {
        return status(404, "NotFound", "the server could not find the requested resource");
    }

    static MockResponse status(int code, String reason, String message) {
        return status(statusBody(code, reason, message));
    }

    /** A failure {@code Status}, to which a caller may add {@code details}. */
    static ObjectNode statusBody(int code, String reason, String message) {
        ObjectNode status = JsonNodeFactory.instance.objectNode();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("message", message);
        status.put("reason", reason);
        status.put("code", code);
        return status;
    }

    static MockResponse status(ObjectNode status) {
        return new MockResponse().setResponseCode(status.get("code").asInt()).setBody(status.toString());
    }

    /** The mock answers without a Content-Type; kubectl's decoders want one. */
    static MockResponse json(MockResponse response) {
        if (response != null && response.getWebSocketListener() == null && response.header("Content-Type") == null) {
            response.setHeader("Content-Type", "application/json");
        }
        return response;
    }
}
