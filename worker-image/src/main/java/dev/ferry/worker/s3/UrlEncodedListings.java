package dev.ferry.worker.s3;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.ListMultipartUploadsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsRequest;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;

/**
 * Asks every listing for URL-encoded keys ({@code encoding-type=url}), which the SDK decodes on the way back.
 * A listing is XML 1.0, which cannot hold most control characters, and a POSIX name may hold any byte but
 * '/' and NUL: a store writes such a key as it is (S3Proxy does) and the SDK cannot parse the page ("Could
 * not parse XML response"), so an audit or a Sync's listing of a folder holding {@code ctl\x01.txt} failed
 * for ever. AWS documents the parameter for exactly this; version 1 of the SDK set it on every listing, the
 * current one does not.
 */
final class UrlEncodedListings implements ExecutionInterceptor {
    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        SdkRequest request = context.request();
        if (request instanceof ListObjectsV2Request list && list.encodingType() == null) {
            return list.toBuilder().encodingType(EncodingType.URL).build();
        }
        if (request instanceof ListMultipartUploadsRequest list && list.encodingType() == null) {
            return list.toBuilder().encodingType(EncodingType.URL).build();
        }
        if (request instanceof ListObjectsRequest list && list.encodingType() == null) {
            return list.toBuilder().encodingType(EncodingType.URL).build();
        }
        if (request instanceof ListObjectVersionsRequest list && list.encodingType() == null) {
            return list.toBuilder().encodingType(EncodingType.URL).build();
        }
        return request;
    }
}
