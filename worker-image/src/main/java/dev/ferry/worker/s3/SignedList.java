package dev.ferry.worker.s3;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.utils.DateUtils;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * One page of ListObjectsV2, signed and sent as {@link SignedPut} sends a PUT, outside the SDK's request pipeline,
 * and read with a streaming XML parser. Folder by folder, a task lists what exists before it copies and the audit
 * lists everything at the end: on 50,000 small files in 1,000 folders that is 1,000 pages of 50 keys each, and
 * through {@code S3Client.listObjectsV2} each page cost the pipeline around the request plus the client's
 * unmarshalling, a DOM of the page mapped field by field (the audit's thread and a Sync's listings were a fifth of
 * the worker's CPU).
 *
 * <p>The answer is the client's {@link ListObjectsV2Response} with what callers read of it: the keys with size,
 * ETag, time and storage class, the common prefixes, whether the listing is truncated and its continuation token.
 * A page asked for URL-encoded ({@code encoding-type=url}) is decoded as the client decodes it (keys, prefixes,
 * delimiter and start-after; never the token). A page that is not well-formed XML (a key with a control character,
 * which XML 1.0 cannot carry) fails as the client's does, with "Could not parse XML response", so that
 * {@link Listings} asks for it URL-encoded. Failures of the store are the client's {@code S3Exception}s, read from
 * the error body as a PUT's are.
 */
public final class SignedList {
    /** One per thread: the StAX API does not promise that a factory may be shared between threads. */
    private static final ThreadLocal<XMLInputFactory> XML = ThreadLocal.withInitial(SignedList::xmlInputFactory);

    private final SignedExchange exchange;

    SignedList(SignedExchange exchange) {
        this.exchange = exchange;
    }

    /** One page of the listing {@code request} asks for. */
    public ListObjectsV2Response list(ListObjectsV2Request request) {
        SdkHttpFullRequest.Builder builder = exchange.toBucket(SdkHttpMethod.GET, request.bucket())
                .putRawQueryParameter("list-type", "2");
        query(builder, "prefix", request.prefix());
        query(builder, "delimiter", request.delimiter());
        query(builder, "continuation-token", request.continuationToken());
        query(builder, "start-after", request.startAfter());
        query(builder, "max-keys", request.maxKeys() == null ? null : request.maxKeys().toString());
        query(builder, "encoding-type", request.encodingTypeAsString());
        SdkHttpFullRequest get = builder.build();
        return exchange.retried(() -> send(get));
    }

    private static void query(SdkHttpFullRequest.Builder request, String name, String value) {
        if (value != null) {
            request.putRawQueryParameter(name, value);
        }
    }

    private ListObjectsV2Response send(SdkHttpFullRequest request) {
        HttpExecuteResponse response = exchange.signAndSend(request);
        SdkHttpResponse answer = response.httpResponse();
        if (!answer.isSuccessful()) {
            throw SignedExchange.failure(answer, SignedExchange.readBody(response));
        }
        if (response.responseBody().isEmpty()) {
            throw SdkClientException.create("the store answered a listing with " + answer.statusCode() + " and no body");
        }
        try (InputStream body = response.responseBody().get()) {
            ListObjectsV2Response page = page(body);
            body.transferTo(OutputStream.nullOutputStream()); // what follows the document: drained, the connection reused
            return page;
        } catch (IOException e) {
            throw SdkClientException.builder().message("Unable to read the answer: " + e.getMessage()).cause(e).build();
        }
    }

    /** The page an answer's body holds, decoded when it says its keys are URL-encoded. */
    static ListObjectsV2Response page(InputStream body) {
        try {
            XMLStreamReader xml = XML.get().createXMLStreamReader(body);
            try {
                return decoded(read(xml));
            } finally {
                xml.close();
            }
        } catch (XMLStreamException | RuntimeException e) {
            if (e instanceof SdkClientException client) {
                throw client;
            }
            // the client's words, which Listings looks for before it asks for the page URL-encoded
            throw SdkClientException.builder().message("Could not parse XML response. " + e.getMessage()).cause(e)
                    .build();
        }
    }

    /** As {@link #page(InputStream)}, of bytes: for tests. */
    static ListObjectsV2Response page(byte[] body) {
        return page(new ByteArrayInputStream(body));
    }

    private static ListObjectsV2Response read(XMLStreamReader xml) throws XMLStreamException {
        ListObjectsV2Response.Builder page = ListObjectsV2Response.builder();
        List<S3Object> contents = new ArrayList<>();
        List<CommonPrefix> prefixes = new ArrayList<>();
        S3Object.Builder object = null;
        boolean inPrefixes = false;
        int depth = 0;
        while (xml.hasNext()) {
            int event = xml.next();
            if (event == XMLStreamConstants.END_ELEMENT) {
                depth--;
                String name = xml.getLocalName();
                if (depth == 1 && name.equals("Contents") && object != null) {
                    contents.add(object.build());
                    object = null;
                } else if (depth == 1 && name.equals("CommonPrefixes")) {
                    inPrefixes = false;
                }
                continue;
            }
            if (event != XMLStreamConstants.START_ELEMENT) {
                continue;
            }
            depth++;
            String name = xml.getLocalName();
            if (depth == 2 && name.equals("Contents")) {
                object = S3Object.builder();
            } else if (depth == 2 && name.equals("CommonPrefixes")) {
                inPrefixes = true;
            } else if (depth == 3 && object != null) {
                readObjectField(xml, object, name);
                depth--; // getElementText consumed the end tag
            } else if (depth == 3 && inPrefixes && name.equals("Prefix")) {
                prefixes.add(CommonPrefix.builder().prefix(xml.getElementText()).build());
                depth--;
            } else if (depth == 2) {
                readPageField(xml, page, name);
                depth--;
            }
        }
        return page.contents(contents).commonPrefixes(prefixes).build();
    }

    private static void readObjectField(XMLStreamReader xml, S3Object.Builder object, String name)
            throws XMLStreamException {
        switch (name) {
            case "Key" -> object.key(xml.getElementText());
            case "Size" -> object.size(Long.parseLong(xml.getElementText().trim()));
            case "ETag" -> object.eTag(xml.getElementText());
            case "LastModified" -> object.lastModified(timeOrNull(xml.getElementText()));
            case "StorageClass" -> object.storageClass(xml.getElementText());
            default -> skip(xml);
        }
    }

    /** One of the page's own fields, read to its end tag. */
    private static void readPageField(XMLStreamReader xml, ListObjectsV2Response.Builder page, String name)
            throws XMLStreamException {
        switch (name) {
            case "Name" -> page.name(xml.getElementText());
            case "Prefix" -> page.prefix(xml.getElementText());
            case "Delimiter" -> page.delimiter(xml.getElementText());
            case "MaxKeys" -> page.maxKeys(Integer.parseInt(xml.getElementText().trim()));
            case "KeyCount" -> page.keyCount(Integer.parseInt(xml.getElementText().trim()));
            case "IsTruncated" -> page.isTruncated(Boolean.parseBoolean(xml.getElementText().trim()));
            case "ContinuationToken" -> page.continuationToken(xml.getElementText());
            case "NextContinuationToken" -> page.nextContinuationToken(xml.getElementText());
            case "StartAfter" -> page.startAfter(xml.getElementText());
            case "EncodingType" -> page.encodingType(xml.getElementText());
            default -> skip(xml);
        }
    }

    /** Past the end of the element just entered, whatever it holds. */
    private static void skip(XMLStreamReader xml) throws XMLStreamException {
        for (int open = 1; open > 0; ) {
            int event = xml.next();
            if (event == XMLStreamConstants.START_ELEMENT) {
                open++;
            } else if (event == XMLStreamConstants.END_ELEMENT) {
                open--;
            }
        }
    }

    /** The page with its keys and prefixes decoded, as the client decodes an {@code encoding-type=url} answer. */
    private static ListObjectsV2Response decoded(ListObjectsV2Response page) {
        if (page.encodingType() != EncodingType.URL) {
            return page;
        }
        return page.toBuilder()
                .prefix(decode(page.prefix()))
                .delimiter(decode(page.delimiter()))
                .startAfter(decode(page.startAfter()))
                .contents(page.contents().stream().map(o -> o.toBuilder().key(decode(o.key())).build()).toList())
                .commonPrefixes(page.commonPrefixes().stream()
                        .map(p -> CommonPrefix.builder().prefix(decode(p.prefix())).build()).toList())
                .build();
    }

    private static String decode(String value) {
        return value == null ? null : SdkHttpUtils.urlDecode(value);
    }

    private static Instant timeOrNull(String iso8601) {
        try {
            return DateUtils.parseIso8601Date(iso8601.trim());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** A parser that reads no DTD and resolves no external entity: a listing is data from the network. */
    private static XMLInputFactory xmlInputFactory() {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        return factory;
    }
}
