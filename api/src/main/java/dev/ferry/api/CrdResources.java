package dev.ferry.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The committed CRD manifests (crds/), packaged on the classpath for whoever installs them. */
public final class CrdResources {
    public static final List<String> FILES = List.of("migrationjobs.ferry.dev.yaml", "migrationtasks.ferry.dev.yaml");

    private CrdResources() {
    }

    public static String read(String file) {
        try (InputStream in = CrdResources.class.getResourceAsStream("/ferry/crds/" + file)) {
            if (in == null) {
                throw new IllegalStateException("CRD " + file + " is not on the classpath (build the api module)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
