package dev.ferry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeBindingsTest {

    @Test
    void bindsClaimsToAbsoluteDirectories(@TempDir Path dir) {
        assertThat(VolumeBindings.parse(List.of("data=" + dir))).containsEntry("data", dir.toAbsolutePath());
    }

    @Test
    void refusesMalformedBindingsAndMissingDirectories(@TempDir Path dir) {
        assertThatThrownBy(() -> VolumeBindings.parse(List.of("data"))).hasMessageContaining("CLAIM=DIR");
        assertThatThrownBy(() -> VolumeBindings.parse(List.of("Bad_Name=" + dir))).hasMessageContaining("claim name");
        assertThatThrownBy(() -> VolumeBindings.parse(List.of("data=" + dir.resolve("missing"))))
                .hasMessageContaining("not a directory");
    }
}
