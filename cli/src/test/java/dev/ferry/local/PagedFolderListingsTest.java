package dev.ferry.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.LocalStorageStrategy;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded store's folder listings are jclouds' own, page for page, and read only the page's objects. Against
 * a real jclouds filesystem blobstore in a temporary directory.
 */
class PagedFolderListingsTest {
    private static final String BUCKET = "bucket";
    private static final int FLAT = 2_500;

    @TempDir
    static Path dataDir;
    private static BlobStoreContext context;
    private static BlobStore jclouds;
    private static LocalStorageStrategy storage;

    @BeforeAll
    static void aFolderOfThousandsOfObjectsBesideSubfoldersAndOddNames() throws Exception {
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", dataDir.toString());
        context = ContextBuilder.newBuilder("filesystem").credentials("id", "secret").overrides(properties)
                .build(BlobStoreContext.class);
        jclouds = context.getBlobStore();
        storage = context.utils().injector().getInstance(LocalStorageStrategy.class);
        jclouds.createContainerInLocation(null, BUCKET);
        for (int i = 0; i < FLAT; i++) {
            put("flat/f" + String.format("%05d", i), "file " + i, Map.of("mtime", Integer.toString(i)));
        }
        for (String key : List.of("flat/a", "flat/a b", "flat/a-b", "flat/a.b", "flat/A", "flat/café", "flat/\uD83D\uDE00",
                "flat/sub1/x", "flat/sub2/y/z", "flat/zz/deep/er/still", "top.txt", "other/f1", "other/sub/f2")) {
            put(key, key, Map.of());
        }
        put("flat/marker/", "", Map.of());
        Files.createDirectories(dataDir.resolve(BUCKET).resolve("flat/empty-directory"));
    }

    @AfterAll
    static void closeStore() {
        context.close();
    }

    @Test
    void everyPageOfAFolderListingIsTheOneJcloudsLists() {
        BlobStore paged = new PagedFolderListings(jclouds, storage, dataDir, Clock.systemUTC());
        for (String prefix : new String[] {null, "", "flat/", "flat/a", "flat/f01", "flat/sub1/", "flat/marker/", "flat/zz/",
                "other/", "nothing/", "fl", "flat/f99999"}) {
            for (Integer pageSize : new Integer[] {null, 1, 7, 1000, 5000}) {
                ListContainerOptions options = new ListContainerOptions().delimiter("/");
                if (prefix != null) {
                    options.prefix(prefix);
                }
                if (pageSize != null) {
                    options.maxResults(pageSize);
                }
                assertThat(allPages(paged, options)).as("prefix %s, page size %s", prefix, pageSize)
                        .isEqualTo(allPages(jclouds, options));
            }
        }
    }

    @Test
    void aListingThatStartsAfterAMarkerOrAsksForNoObjectIsJclouds() {
        BlobStore paged = new PagedFolderListings(jclouds, storage, dataDir, Clock.systemUTC());
        for (String marker : new String[] {"flat/", "flat/a", "flat/a c", "flat/f01234", "flat/f01234x", "flat/marker/",
                "flat/sub1/", "flat/zzz", "\uFFFF"}) {
            ListContainerOptions options = new ListContainerOptions().delimiter("/").prefix("flat/").afterMarker(marker)
                    .maxResults(100);
            assertThat(page(paged, options)).as("after %s", marker).isEqualTo(page(jclouds, options));
        }
        ListContainerOptions none = new ListContainerOptions().delimiter("/").prefix("flat/").maxResults(0);
        assertThat(page(paged, none)).isEqualTo(page(jclouds, none));
        ListContainerOptions recursive = new ListContainerOptions().prefix("flat/s").recursive();
        assertThat(allPages(paged, recursive)).as("not a folder listing: jclouds' own").isEqualTo(allPages(jclouds, recursive));
    }

    @Test
    void aPageReadsItsOwnObjectsOnlyNotTheWholeFolder() {
        AtomicInteger reads = new AtomicInteger();
        LocalStorageStrategy counted = (LocalStorageStrategy) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {LocalStorageStrategy.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getBlob")) {
                        reads.incrementAndGet();
                    }
                    return method.invoke(storage, args);
                });
        BlobStore paged = new PagedFolderListings(jclouds, counted, dataDir, Clock.systemUTC());

        PageSet<? extends StorageMetadata> page = paged.list(BUCKET, new ListContainerOptions().delimiter("/").prefix("flat/")
                .afterMarker("flat/f01000").maxResults(10));

        assertThat(page).extracting(StorageMetadata::getName).startsWith("flat/f01001").hasSize(10);
        assertThat(page.getNextMarker()).isEqualTo("flat/f01010");
        assertThat(reads.get()).as("the page's 10 objects and the one that tells there is more, of %d", FLAT)
                .isEqualTo(11);
    }

    @Test
    void anObjectPutBetweenTwoPagesOfAFolderWhoseNamesWereKeptIsInTheLaterPage() throws Exception {
        Path folder = dataDir.resolve(BUCKET).resolve("other");
        Files.setLastModifiedTime(folder, FileTime.from(Instant.now().minusSeconds(60)));
        BlobStore paged = new PagedFolderListings(jclouds, storage, dataDir, Clock.systemUTC());
        ListContainerOptions first = new ListContainerOptions().delimiter("/").prefix("other/").maxResults(1);
        assertThat(page(paged, first)).hasSize(2).last().isEqualTo("next other/f1");

        put("other/g1", "put after the first page", Map.of());

        ListContainerOptions second = new ListContainerOptions().delimiter("/").prefix("other/").afterMarker("other/f1");
        assertThat(page(paged, second)).extracting(line -> line.split(" ")[1])
                .containsExactly("other/g1", "other/sub/", "null");
        assertThat(page(paged, second)).isEqualTo(page(jclouds, second));
    }

    /**
     * Every page from the first (at most 5 of pages under 100 entries: jclouds' own pages cost the whole folder
     * each), as (type, name, size, ETag, metadata) lines and each page's next marker.
     */
    private static List<String> allPages(BlobStore store, ListContainerOptions options) {
        List<String> lines = new ArrayList<>();
        String marker = null;
        int pages = 0;
        int most = options.getMaxResults() != null && options.getMaxResults() < 100 ? 5 : Integer.MAX_VALUE;
        do {
            ListContainerOptions next = copy(options);
            if (marker != null) {
                next.afterMarker(marker);
            }
            PageSet<? extends StorageMetadata> page = store.list(BUCKET, next);
            lines.addAll(lines(page));
            marker = page.getNextMarker();
            lines.add("next " + marker);
        } while (marker != null && ++pages < most);
        return lines;
    }

    private static List<String> page(BlobStore store, ListContainerOptions options) {
        PageSet<? extends StorageMetadata> page = store.list(BUCKET, options);
        List<String> lines = lines(page);
        lines.add("next " + page.getNextMarker());
        return lines;
    }

    private static List<String> lines(PageSet<? extends StorageMetadata> page) {
        List<String> lines = new ArrayList<>();
        for (StorageMetadata entry : page) {
            lines.add(entry.getType() + " " + entry.getName() + " " + entry.getSize() + " " + entry.getETag() + " "
                    + entry.getUserMetadata());
        }
        return lines;
    }

    private static ListContainerOptions copy(ListContainerOptions options) {
        ListContainerOptions copy = new ListContainerOptions();
        if (options.getDelimiter() != null) {
            copy.delimiter(options.getDelimiter());
        }
        if (options.isRecursive()) {
            copy.recursive();
        }
        if (options.getPrefix() != null) {
            copy.prefix(options.getPrefix());
        }
        if (options.getMaxResults() != null) {
            copy.maxResults(options.getMaxResults());
        }
        return copy;
    }

    private static void put(String key, String body, Map<String, String> metadata) {
        jclouds.putBlob(BUCKET, jclouds.blobBuilder(key).payload(body).userMetadata(metadata).build());
    }
}
