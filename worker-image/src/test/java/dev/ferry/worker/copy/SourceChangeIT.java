package dev.ferry.worker.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.api.FailureCode;
import dev.ferry.worker.testing.S3ProxyPerClass;
import dev.ferry.worker.testing.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * A file appended to while it is copied: it is either copied again and the object holds its final
 * content, or it fails with SOURCE_CHANGED and no object exists — never a torn object. The append
 * happens through the copy path's seam, between the read and the stat that checks the file, so every
 * run meets the race at the same point.
 */
class SourceChangeIT {
    static final int SMALL = 70_000;
    static final int MULTIPART = 6 * 1024 * 1024 + 4321;

    @RegisterExtension
    static final S3ProxyPerClass S3 = new S3ProxyPerClass("change-it");

    @TempDir
    Path source;

    @Test
    void aSmallFileAppendedToOnceIsCopiedAgainWithItsFinalContent() throws Exception {
        assertCopiedAgainWithFinalContent(SMALL);
    }

    @Test
    void aMultipartFileAppendedToOnceIsCopiedAgainWithItsFinalContent() throws Exception {
        assertCopiedAgainWithFinalContent(MULTIPART);
    }

    @Test
    void aSmallFileThatKeepsChangingFailsWithSourceChangedAndLeavesNoObject() throws Exception {
        assertFailsAndLeavesNothing(SMALL);
    }

    @Test
    void aMultipartFileThatKeepsChangingFailsWithSourceChangedAndLeavesNoObjectNorUpload() throws Exception {
        assertFailsAndLeavesNothing(MULTIPART);
        assertThat(S3.server().client().listMultipartUploads(b -> b.bucket(S3.bucket())).uploads()).isEmpty();
    }

    private void assertCopiedAgainWithFinalContent(int size) throws Exception {
        Path file = Files.write(source.resolve("growing.bin"), Trees.randomBytes(size, 7));
        Appender appender = new Appender(1);

        FileOutcome outcome = copy(file, appender);

        assertThat(appender.appends.get()).isEqualTo(1);
        assertThat(outcome.kind()).isEqualTo(FileOutcome.Kind.COPIED);
        assertThat(stored("growing.bin")).isEqualTo(Files.readAllBytes(file)).hasSize(size + Appender.CHUNK);
    }

    private void assertFailsAndLeavesNothing(int size) throws Exception {
        Path file = Files.write(source.resolve("growing.bin"), Trees.randomBytes(size, 8));
        Appender appender = new Appender(Integer.MAX_VALUE);

        FileOutcome outcome = copy(file, appender);

        assertThat(appender.appends.get()).as("read, changed, read again, changed again").isEqualTo(2);
        assertThat(outcome.kind()).isEqualTo(FileOutcome.Kind.FAILED);
        assertThat(outcome.code()).isEqualTo(FailureCode.SOURCE_CHANGED);
        assertThat(stored("growing.bin")).as("no object, torn or not").isNull();
    }

    private FileOutcome copy(Path file, CopyHooks hooks) throws InterruptedException {
        try (CopyEngine engine = TestEngines.against(S3.server(), S3.bucket(), hooks)) {
            return new FileCopier(engine).copy(source.relativize(file).toString(), file);
        }
    }

    /** The object's bytes, or null when there is no object. */
    private byte[] stored(String key) {
        try {
            return S3.server().client().getObjectAsBytes(b -> b.bucket(S3.bucket()).key(key)).asByteArray();
        } catch (NoSuchKeyException e) {
            return null;
        }
    }

    /** Appends a chunk to the file each time it has been read, up to {@code times} times. */
    private static final class Appender implements CopyHooks {
        static final int CHUNK = 1000;
        final int times;
        final AtomicInteger appends = new AtomicInteger();

        Appender(int times) {
            this.times = times;
        }

        @Override
        public void afterRead(Path file) throws IOException {
            if (appends.get() < times) {
                Files.write(file, new byte[CHUNK], StandardOpenOption.APPEND);
                appends.incrementAndGet();
            }
        }
    }
}
