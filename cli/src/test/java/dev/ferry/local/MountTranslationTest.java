package dev.ferry.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The local kubelet "mounts" a claim by translating the container's paths to the bound directory. */
class MountTranslationTest {
    private final Map<String, Path> mounts = Map.of("/mnt/source", Path.of("/home/me/data"));

    @Test
    void translatesTheMountPathAndPathsBelowIt() {
        assertThat(ContainerEnvironment.translateMountedPath("/mnt/source", mounts)).isEqualTo("/home/me/data");
        assertThat(ContainerEnvironment.translateMountedPath("/mnt/source/sub/dir", mounts)).isEqualTo("/home/me/data/sub/dir");
    }

    @Test
    void leavesOtherValuesAlone() {
        assertThat(ContainerEnvironment.translateMountedPath("/mnt/sourcecode", mounts)).isEqualTo("/mnt/sourcecode");
        assertThat(ContainerEnvironment.translateMountedPath("demo-job", mounts)).isEqualTo("demo-job");
    }
}
