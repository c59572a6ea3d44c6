package dev.ferry.cli;

import dev.ferry.api.Patterns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses --volume CLAIM=DIR bindings: the local mode's stand-in for PersistentVolumes. */
final class VolumeBindings {

    private VolumeBindings() {
    }

    static Map<String, Path> parse(List<String> bindings) {
        Map<String, Path> claims = new LinkedHashMap<>();
        for (String binding : bindings) {
            int eq = binding.indexOf('=');
            if (eq <= 0 || eq == binding.length() - 1) {
                throw new IllegalArgumentException("--volume takes CLAIM=DIR, got '" + binding + "'");
            }
            String claim = binding.substring(0, eq);
            Path dir = Path.of(binding.substring(eq + 1));
            if (!claim.matches(Patterns.DNS_NAME)) {
                throw new IllegalArgumentException("'" + claim + "' is not a valid claim name (lower-case DNS name)");
            }
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("--volume " + claim + ": " + dir + " is not a directory");
            }
            claims.put(claim, dir.toAbsolutePath().normalize());
        }
        return claims;
    }
}
