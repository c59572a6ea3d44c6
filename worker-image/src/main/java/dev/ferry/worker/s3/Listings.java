package dev.ferry.worker.s3;

import java.util.function.Consumer;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * Listings that survive keys XML cannot carry. A listing is XML 1.0, which has no form for most control
 * characters, and a POSIX name may hold any byte but '/' and NUL: a store writes such a key as it is (S3Proxy
 * does) and the SDK cannot parse the page ("Could not parse XML response"), so an audit or a Sync's listing of a
 * folder holding {@code ctl\x01.txt} failed on every try. Such a page is asked for again with URL-encoded keys
 * ({@code encoding-type=url}, which the SDK decodes). Only then: S3Proxy also encodes the continuation token
 * (its last key), which the SDK passes back encoded and S3Proxy then takes literally, skipping keys — so the
 * plain form stays the rule, and in the encoded form a token that decodes to the page's last key is decoded.
 */
public final class Listings {
    private Listings() {
    }

    /** One page of ListObjectsV2, sent by the client. */
    public static ListObjectsV2Response objects(S3Client s3, Consumer<ListObjectsV2Request.Builder> request) {
        return objects((Function<ListObjectsV2Request, ListObjectsV2Response>) s3::listObjectsV2, request);
    }

    /** One page of ListObjectsV2, sent by the gateway (signed by itself where it can: {@link SignedList}). */
    public static ListObjectsV2Response objects(S3Gateway gateway, Consumer<ListObjectsV2Request.Builder> request) {
        return objects((Function<ListObjectsV2Request, ListObjectsV2Response>) gateway::listObjectsV2, request);
    }

    private static ListObjectsV2Response objects(Function<ListObjectsV2Request, ListObjectsV2Response> list,
                                                 Consumer<ListObjectsV2Request.Builder> request) {
        ListObjectsV2Request.Builder plain = ListObjectsV2Request.builder();
        request.accept(plain);
        try {
            return list.apply(plain.build());
        } catch (SdkClientException e) {
            if (!unparsable(e)) {
                throw e;
            }
            ListObjectsV2Response page = list.apply(plain.encodingType(EncodingType.URL).build());
            String token = page.nextContinuationToken();
            if (token != null && SdkHttpUtils.urlDecode(token).equals(lastOf(page))) {
                return page.toBuilder().nextContinuationToken(lastOf(page)).build();
            }
            return page;
        }
    }

    /** One page of ListMultipartUploads. */
    public static ListMultipartUploadsResponse uploads(S3Client s3,
                                                       Consumer<ListMultipartUploadsRequest.Builder> request) {
        try {
            return s3.listMultipartUploads(request);
        } catch (SdkClientException e) {
            if (!unparsable(e)) {
                throw e;
            }
            return s3.listMultipartUploads(b -> request.accept(b.encodingType(EncodingType.URL)));
        }
    }

    static boolean unparsable(SdkClientException e) {
        return e.getMessage() != null && e.getMessage().contains("Could not parse XML response");
    }

    /** The greatest key or common prefix of a page, as the store orders them. */
    private static String lastOf(ListObjectsV2Response page) {
        String last = null;
        for (S3Object object : page.contents()) {
            last = last == null || ObjectKeys.compare(object.key(), last) > 0 ? object.key() : last;
        }
        for (CommonPrefix prefix : page.commonPrefixes()) {
            last = last == null || ObjectKeys.compare(prefix.prefix(), last) > 0 ? prefix.prefix() : last;
        }
        return last;
    }
}
