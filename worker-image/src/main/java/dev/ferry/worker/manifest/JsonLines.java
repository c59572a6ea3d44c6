package dev.ferry.worker.manifest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON lines, the form of every list the job keeps under its state prefix (manifests, the audit's
 * findings, failure logs, the failure report): one object per line, nulls left out, unknown fields
 * ignored on reading so that an older worker reads what a newer one wrote.
 */
public final class JsonLines {
    public static final String CONTENT_TYPE = "application/x-ndjson";
    private static final ObjectMapper JSON = new ObjectMapper()
            .setSerializationInclusion(JsonInclude.Include.NON_NULL)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private JsonLines() {
    }

    /** One line of {@code value}, without its newline. */
    public static String line(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] encode(List<?> values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(values.size() * 64);
        for (Object value : values) {
            out.writeBytes(line(value).getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** The values of every non-blank line of {@code in}, which is closed. */
    public static <T> List<T> decode(InputStream in, Class<T> type) throws IOException {
        List<T> values = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (!line.isBlank()) {
                    values.add(JSON.readValue(line, type));
                }
            }
        }
        return values;
    }
}
