package dev.ferry.worker.multipart;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * The ETag S3 gives an object completed from parts: the hex MD5 of the concatenated binary MD5s of
 * its parts, then {@code -} and the number of parts. Computed from the file's own bytes, it proves
 * that a completed object is the file without reading the object back.
 */
public final class CompositeETag {
    private CompositeETag() {
    }

    public static String of(List<byte[]> partMd5s) {
        MessageDigest digest = md5();
        for (byte[] md5 : partMd5s) {
            digest.update(md5);
        }
        return HexFormat.of().formatHex(digest.digest()) + "-" + partMd5s.size();
    }

    /**
     * The composite ETag of {@code parts} as completed, computed from the ETag each part was answered with,
     * as S3 computes it. Where a part's ETag is the MD5 of its bytes (no encryption, SSE-S3, S3Proxy) this is
     * {@link #of} of the parts' MD5s; under SSE-KMS or SSE-C a part's ETag is not its MD5, and the completed
     * object's ETag is still the MD5 of the parts' ETags. A part answered with an ETag not of MD5 form counts
     * with its MD5 from {@code md5s} (by part number).
     */
    public static String ofAnswered(Collection<CompletedPart> parts, Map<Integer, byte[]> md5s) {
        List<byte[]> digests = new ArrayList<>(parts.size());
        for (CompletedPart part : parts) {
            String eTag = unquoted(part.eTag());
            digests.add(isPlainMd5(eTag) ? HexFormat.of().parseHex(eTag) : md5s.get(part.partNumber()));
        }
        return of(digests);
    }

    /** Whether {@code eTag} (without quotes) has the form of a composite ETag; stores with encryption send others. */
    public static boolean isComposite(String eTag) {
        return eTag != null && eTag.matches("[0-9a-fA-F]{32}-[0-9]+");
    }

    /**
     * Whether {@code eTag} (without quotes) has the form of a single PUT's ETag, the hex MD5 of the bytes
     * the store kept. (A store that encrypts with its own keys, such as SSE-KMS, sends ETags of this form
     * that are not MD5s of the content.)
     */
    public static boolean isPlainMd5(String eTag) {
        return eTag != null && eTag.length() == 32 && eTag.chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }

    /**
     * The MD5 (base64) an object records: its {@code md5chksum} when it has one, else the ETag of a single PUT,
     * the hex MD5 of the bytes the store kept (an object that rclone or another tool stored carries no
     * {@code md5chksum}); null for a multipart object without {@code md5chksum} (one Ferry left half-done, or
     * another tool's). A store that encrypts with its own keys sends ETags of the single-PUT form that are no
     * MD5: compared with the file's MD5 they differ, and the file is copied, which loses nothing.
     */
    public static String recordedMd5(String md5chksum, String eTag) {
        if (md5chksum != null) {
            return md5chksum;
        }
        String plain = unquoted(eTag);
        return isPlainMd5(plain) ? Base64.getEncoder().encodeToString(HexFormat.of().parseHex(plain)) : null;
    }

    /** An ETag as stores send it, without its quotes. */
    public static String unquoted(String eTag) {
        return eTag == null ? null : eTag.replace("\"", "").strip();
    }

    /** A fresh MD5 digest (every JVM has MD5). */
    public static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
