package dev.ferry.worker.audit;

import dev.ferry.api.EntryKind;
import dev.ferry.api.FileEntry;
import dev.ferry.api.VerifyMode;
import dev.ferry.worker.multipart.CompositeETag;
import dev.ferry.worker.s3.EndpointPool;
import dev.ferry.worker.s3.Listings;
import dev.ferry.worker.s3.ObjectKeys;
import dev.ferry.worker.s3.ObjectMetadata;
import dev.ferry.worker.source.SourceStat;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Whether the destination holds a list of planned entries, read from the store itself and never from a
 * task's bookkeeping. The entries are grouped by their object's folder; each folder is listed with the
 * delimiter {@code /} over the key range of its entries only (from just before the first key to the
 * last), so a listing returns the folder's own objects and not the subtrees beside them, and a task of
 * 500 files in one folder costs one request. An entry is right when its object exists with the planned
 * size (a directory's marker: when the folder lists it). Under {@code overwrite: Never} only presence
 * counts.
 *
 * <p>With {@code verify: Checksum} the listing's ETags are used too. An object stored by a single PUT has
 * the hex MD5 of the bytes the store kept as its ETag, computed by the store; Ferry's PUT carried the
 * file's MD5 as {@code Content-MD5}, which the store checks before it keeps anything, and Ferry skips an
 * existing object only when it holds the file's MD5. So such an object is checked without a request of
 * its own: against the plan, its listing is the proof (a HEAD would only show Ferry's {@code md5chksum}
 * equal to that same ETag); against the source ({@code audit: Source}), the ETag is compared with the
 * MD5 of the file read now (a store that encrypts with SSE-KMS or SSE-C lists ETags of that form that are
 * not MD5s: a HEAD tells, and then the recorded MD5 is compared). An object assembled from parts has a composite ETag that says nothing of the
 * whole content: it is read with one HEAD, and its {@code md5chksum} must be there (and, against the
 * source, be the file's MD5). A HEAD per object would cost the store about as much as the copy's PUTs.
 *
 * <p>Against the plan, a file can have changed between its planning and its copy (a log being appended to, a
 * file restored over with {@code cp -p}): the copy stores the file as it was when read, whole (it stats the
 * file before and after reading it), so the object's size is not the plan's. Such an object is right when
 * it holds a later version of the file: one HEAD reads the {@code mtime} the copy recorded, and it must be
 * later than the planned one, or be the file's mtime now with the object the file's size now (a file
 * replaced by one with an older mtime); with checksums, an object assembled from parts must also carry its
 * {@code md5chksum}. Any other object of another size is different. Against the source the entries are
 * the files as they are now, and no later version exists.
 */
final class DestinationCheck {
    private static final Logger LOG = LoggerFactory.getLogger(DestinationCheck.class);

    /** What the destination holds of one entry, when it is not the planned object. */
    enum Problem {
        MISSING,
        DIFFERENT,
        /** Not wrong: the object holds a later version of the file than planned (counted, not reported). */
        LATER_VERSION
    }

    /** A planned entry the destination does not hold as planned. */
    record Finding(FileEntry entry, String key, Problem problem, String detail) {
    }

    private final EndpointPool s3;
    private final String bucket;
    private final String prefix;
    private final VerifyMode verify;
    private final boolean presenceOnly;
    private final SourceDigests digests;
    private final Executor headThreads;
    private final Executor folderThreads;
    private final SourceStats laterVersions;

    /** The MD5 of a source file read now (base64), for the strongest check; null when it cannot be read whole. */
    @FunctionalInterface
    interface SourceDigests {
        String md5(FileEntry entry);
    }

    /** A source file as it is now; null when it cannot be read (gone, or outside the source). */
    @FunctionalInterface
    interface SourceStats {
        SourceStat now(FileEntry entry);
    }

    /**
     * @param presenceOnly true under {@code overwrite: Never}: an object that existed at the key was kept
     *        whatever it holds, as the user asked, so only its presence is checked
     * @param digests with {@code verify: Checksum}, the source's MD5 to compare each object's with (the
     *        audit of the source); null: against the plan, which knows no file's MD5
     * @param headThreads where the HEADs (and the source's MD5s) of a folder's objects run, in parallel
     * @param folderThreads where the folders of one {@link #check} are listed, side by side: not
     *        {@code headThreads}, whose tasks a folder's listing waits for
     * @param laterVersions when the entries are the plan's: the source's files now, so that an object of a
     *        later version of its file than planned is taken as right; null against the source
     */
    DestinationCheck(EndpointPool s3, String bucket, String prefix, VerifyMode verify, boolean presenceOnly,
            SourceDigests digests, Executor headThreads, Executor folderThreads, SourceStats laterVersions) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
        this.verify = verify;
        this.presenceOnly = presenceOnly;
        this.digests = digests;
        this.headThreads = headThreads;
        this.folderThreads = folderThreads;
        this.laterVersions = laterVersions;
    }

    /** The entries that are missing or different, or whose objects hold a later version, in the order given. */
    List<Finding> check(List<FileEntry> entries) throws InterruptedException {
        Map<String, Map<String, FileEntry>> byFolder = new LinkedHashMap<>();
        for (FileEntry entry : entries) {
            String key = ObjectKeys.keyOf(prefix, entry);
            byFolder.computeIfAbsent(ObjectKeys.folderOf(key), f -> new LinkedHashMap<>()).put(key, entry);
        }
        Map<String, Finding> findings = new ConcurrentHashMap<>();
        if (byFolder.size() == 1) {
            Map.Entry<String, Map<String, FileEntry>> only = byFolder.entrySet().iterator().next();
            checkFolder(only.getKey(), only.getValue(), findings);
        } else {
            // Each listing is a round trip to the store and a walk of one folder there: one after the other,
            // a manifest of files spread over a hundred folders waits for a hundred of them in a row.
            List<CompletableFuture<Void>> folders = new ArrayList<>(byFolder.size());
            for (Map.Entry<String, Map<String, FileEntry>> folder : byFolder.entrySet()) {
                folders.add(CompletableFuture.runAsync(() -> {
                    try {
                        checkFolder(folder.getKey(), folder.getValue(), findings);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new CompletionException(e);
                    }
                }, folderThreads));
            }
            joinAll(folders);
        }
        List<Finding> ordered = new ArrayList<>();
        for (FileEntry entry : entries) {
            Finding finding = findings.get(ObjectKeys.keyOf(prefix, entry));
            if (finding != null) {
                ordered.add(finding);
            }
        }
        return ordered;
    }

    /** One entry again, after it was copied once more: null when it is right now. */
    Finding recheck(FileEntry entry) throws InterruptedException {
        List<Finding> findings = check(List.of(entry));
        return findings.isEmpty() || findings.get(0).problem() == Problem.LATER_VERSION ? null : findings.get(0);
    }

    private void checkFolder(String folder, Map<String, FileEntry> planned, Map<String, Finding> findings)
            throws InterruptedException {
        String first = null;
        String last = null;
        for (String key : planned.keySet()) {
            first = first == null || ObjectKeys.compare(key, first) < 0 ? key : first;
            last = last == null || ObjectKeys.compare(key, last) > 0 ? key : last;
        }
        Map<String, FileEntry> unseen = new LinkedHashMap<>(planned);
        List<CompletableFuture<Void>> heads = new ArrayList<>();
        // Listing starts after the first key without its last character (a code point: half a surrogate
        // pair would not encode): at or before the first key.
        String startAfter = first.substring(0, first.offsetByCodePoints(first.length(), -1));
        String token = null;
        boolean past = false;
        while (!past && !unseen.isEmpty()) {
            String continuation = token;
            ListObjectsV2Response page = s3.callGateway(gateway -> Listings.objects(gateway, b -> {
                b.bucket(bucket).prefix(folder).delimiter("/");
                if (continuation != null) {
                    b.continuationToken(continuation);
                } else if (!startAfter.isEmpty()) {
                    b.startAfter(startAfter);
                }
            }));
            for (S3Object object : page.contents()) {
                FileEntry entry = unseen.remove(object.key());
                if (entry != null) {
                    compare(entry, object, findings, heads);
                }
                past |= ObjectKeys.compare(object.key(), last) >= 0;
            }
            for (CommonPrefix common : page.commonPrefixes()) {
                FileEntry marker = unseen.remove(common.prefix());
                if (marker != null && marker.kindOrFile() != EntryKind.Directory) {
                    findings.put(common.prefix(), new Finding(marker, common.prefix(), Problem.DIFFERENT,
                            "the destination holds a folder at the file's key"));
                }
                past |= ObjectKeys.compare(common.prefix(), last) >= 0;
            }
            token = page.nextContinuationToken();
            past |= !Boolean.TRUE.equals(page.isTruncated());
        }
        for (Map.Entry<String, FileEntry> missing : unseen.entrySet()) {
            findings.put(missing.getKey(), new Finding(missing.getValue(), missing.getKey(), Problem.MISSING,
                    "the destination has no object " + missing.getKey()));
        }
        joinAll(heads);
    }

    /**
     * Waits for every one of {@code work}, or for the first to fail: that failure is thrown as it was thrown, and
     * what has not started yet never starts (a store that is down fails the batch at its first listing, not after
     * all of them). Interruptible: an audit stopped while it waits (its threads shut down) does not wait for ever.
     */
    static void joinAll(List<CompletableFuture<Void>> work) throws InterruptedException {
        CompletableFuture<Void> firstFailure = new CompletableFuture<>();
        for (CompletableFuture<Void> one : work) {
            one.whenComplete((done, failure) -> {
                if (failure != null) {
                    firstFailure.completeExceptionally(failure);
                }
            });
        }
        try {
            CompletableFuture.anyOf(CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)), firstFailure).get();
        } catch (ExecutionException e) {
            work.forEach(one -> one.cancel(false));
            Throwable cause = e.getCause() instanceof CompletionException wrapped && wrapped.getCause() != null
                    ? wrapped.getCause() : e.getCause();
            if (cause instanceof InterruptedException interrupted) {
                throw interrupted;
            }
            throw cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
        } catch (InterruptedException e) {
            work.forEach(one -> one.cancel(false));
            throw e;
        }
    }

    /**
     * The size now; with checksums, the listed ETag where it is the MD5 of the bytes, else one HEAD. The
     * source's MD5s and the HEADs run on the engine's file threads while the listing goes on.
     */
    private void compare(FileEntry entry, S3Object object, Map<String, Finding> findings,
            List<CompletableFuture<Void>> heads) {
        if (presenceOnly) {
            return;
        }
        long planned = entry.kindOrFile() == EntryKind.Directory ? 0 : entry.sizeOrZero();
        if (object.size() == null || object.size() != planned) {
            String detail = "the object has " + object.size() + " bytes, the plan " + planned;
            if (laterVersions == null || object.size() == null || entry.kindOrFile() != EntryKind.File) {
                findings.put(object.key(), new Finding(entry, object.key(), Problem.DIFFERENT, detail));
                return;
            }
            heads.add(CompletableFuture.runAsync(() -> findings.put(object.key(), laterVersionOrDifferent(object, entry,
                    detail)), headThreads));
            return;
        }
        if (verify != VerifyMode.Checksum) {
            return;
        }
        String eTag = CompositeETag.unquoted(object.eTag());
        boolean againstTheFile = digests != null && entry.kindOrFile() == EntryKind.File;
        if (CompositeETag.isPlainMd5(eTag) && !againstTheFile) {
            return;
        }
        heads.add(CompletableFuture.runAsync(() -> {
            String mismatch = CompositeETag.isPlainMd5(eTag) ? eTagMismatch(object.key(), entry, eTag)
                    : checksumMismatch(object.key(), entry);
            if (mismatch != null) {
                findings.put(object.key(), new Finding(entry, object.key(), Problem.DIFFERENT, mismatch));
            }
        }, headThreads));
    }

    /**
     * For an object whose size is not the planned one: {@link Problem#LATER_VERSION} when it holds a later
     * version of the file than planned (its recorded mtime is later, or it is the file as it is now; with
     * checksums, an object assembled from parts carries its recorded MD5, as every object a copy completes
     * does), else {@link Problem#DIFFERENT}.
     */
    private Finding laterVersionOrDifferent(S3Object object, FileEntry entry, String detail) {
        HeadObjectResponse head = headOrNull(object.key());
        if (head == null) {
            return new Finding(entry, object.key(), Problem.DIFFERENT, "the object is gone");
        }
        Long recorded = ObjectMetadata.mtimeMillis(head.metadata().get(ObjectMetadata.MTIME));
        if (recorded == null) {
            return new Finding(entry, object.key(), Problem.DIFFERENT, detail + ", and it records no mtime");
        }
        boolean laterMtime = entry.mtime != null && recorded > entry.mtime;
        if (!laterMtime && !isTheFileNow(entry, object.size(), recorded)) {
            return new Finding(entry, object.key(), Problem.DIFFERENT, detail
                    + ", its recorded mtime is not later than the planned one, and the file now is not the object");
        }
        if (verify == VerifyMode.Checksum && !CompositeETag.isPlainMd5(CompositeETag.unquoted(object.eTag()))
                && head.metadata().get(ObjectMetadata.MD5) == null) {
            return new Finding(entry, object.key(), Problem.DIFFERENT, detail + ", and it has no " + ObjectMetadata.MD5);
        }
        LOG.info("{}: changed after it was planned ({} bytes, mtime {} ms); the object holds a later version"
                + " ({} bytes, mtime {} ms)", entry.path, entry.sizeOrZero(), entry.mtime, object.size(), recorded);
        return new Finding(entry, object.key(), Problem.LATER_VERSION, "changed after it was planned");
    }

    /** Whether the source file is now a regular file of this size and mtime (in milliseconds). */
    private boolean isTheFileNow(FileEntry entry, long size, long mtimeMillis) {
        SourceStat now = laterVersions.now(entry);
        return now != null && now.regularFile() && now.size() == size && now.mtime().toMillis() == mtimeMillis;
    }

    /**
     * Against the source, for an object whose ETag has the form of an MD5: null when it is the file's MD5
     * now (or the file cannot be read whole). When it is not, one HEAD tells whether the store encrypts the
     * object with SSE-KMS or SSE-C, whose ETags are not an MD5 of the object's data (S3's documentation of
     * ETag): then the object's recorded MD5 decides, as for an object assembled from parts. Without that,
     * every object of an SSE-KMS bucket would be reported different.
     */
    private String eTagMismatch(String key, FileEntry entry, String eTag) {
        String file = digests.md5(entry);
        String listed = base64(eTag);
        if (file == null || file.equals(listed)) {
            return null;
        }
        String mismatch = "the object's MD5 (ETag) is " + listed + ", the file's MD5 now " + file;
        HeadObjectResponse head = headOrNull(key);
        if (head == null) {
            return "the object is gone";
        }
        if (!eTagIsNotAnMd5(head)) {
            return mismatch;
        }
        String recorded = head.metadata().get(ObjectMetadata.MD5);
        if (recorded == null) {
            return "the object has no " + ObjectMetadata.MD5 + " and its ETag is not an MD5 (the store encrypts it)";
        }
        return file.equals(recorded) ? null : "the object's " + ObjectMetadata.MD5 + " is " + recorded
                + " (its ETag is not an MD5: the store encrypts it), the file's MD5 now " + file;
    }

    private HeadObjectResponse headOrNull(String key) {
        try {
            return s3.callGateway(gateway -> gateway.headObject(bucket, key));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    /** SSE-KMS (also dual-layer) and SSE-C objects: S3 documents that their ETags are not an MD5 of their data. */
    private static boolean eTagIsNotAnMd5(HeadObjectResponse head) {
        ServerSideEncryption encryption = head.serverSideEncryption();
        return head.sseCustomerAlgorithm() != null
                || (encryption != null && encryption != ServerSideEncryption.AES256);
    }

    /**
     * For an object whose ETag is not the MD5 of its content (assembled from parts, or a store that
     * encrypts): null when its recorded MD5, read with HEAD, is there (and is the file's, against the source).
     */
    private String checksumMismatch(String key, FileEntry entry) {
        HeadObjectResponse head = headOrNull(key);
        if (head == null) {
            return "the object is gone";
        }
        String recorded = head.metadata().get(ObjectMetadata.MD5);
        if (recorded == null) {
            return "the object has no " + ObjectMetadata.MD5 + " (verify: Checksum records the file's MD5 on every object)";
        }
        return digests != null && entry.kindOrFile() == EntryKind.File ? fileMismatch(entry, recorded, ObjectMetadata.MD5) : null;
    }

    /** Null when the source file's MD5 now is {@code stored} (base64), or the file cannot be read whole. */
    private String fileMismatch(FileEntry entry, String stored, String what) {
        String file = digests.md5(entry);
        return file == null || file.equals(stored) ? null
                : "the object's " + what + " is " + stored + ", the file's MD5 now " + file;
    }

    private static String base64(String hexMd5) {
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hexMd5));
    }
}
