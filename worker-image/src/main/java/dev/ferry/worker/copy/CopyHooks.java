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
     * Called before the bytes of {@code file} are read (the single PUT's read, the hash pass of a
     * multipart copy): a test makes the read hang here, as a hung NFS read would.
     */
    default void beforeRead(Path file) throws IOException, InterruptedException {
    }

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
