package dev.ferry.worker.copy;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Seams in the copy path where a test makes the world change at an exact moment (a file appended
 * to while it is read, an object replaced before it is verified), so that what Ferry does about it
 * is tested deterministically rather than by racing threads. Production uses {@link #NONE}.
 */
public interface CopyHooks {
    CopyHooks NONE = new CopyHooks() {
    };

    /**
     * Called when all bytes of {@code file} were read (for a stored link or directory marker: its lstat
     * and link text), just before the stat that tells whether it changed.
     */
    default void afterRead(Path file) throws IOException {
    }

    /** Called when the object at {@code key} is stored, just before it is verified. */
    default void beforeVerify(String key) {
    }
}
