package dev.ferry.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.LocalStorageStrategy;
import org.jclouds.blobstore.domain.Blob;
import org.jclouds.blobstore.domain.MutableBlobMetadata;
import org.jclouds.blobstore.domain.PageSet;
import org.jclouds.blobstore.domain.StorageMetadata;
import org.jclouds.blobstore.domain.internal.PageSetImpl;
import org.jclouds.blobstore.options.ListContainerOptions;
import org.jclouds.blobstore.util.BlobStoreUtils;
import org.jclouds.blobstore.util.ForwardingBlobStore;

/**
 * The embedded store's blobstore, whose listings of one folder ({@code delimiter=/}, as the audit and most S3
 * tools list) read the metadata of the page's objects only. jclouds' local blobstore reads every object of the
 * folder for every page before it applies the marker and the page size, so listing a folder of n objects cost
 * n²/1,000 object reads: a flat folder of 20,000 files took the audit 46 s after a 20 s copy, one of 100,000 would
 * take about 20 minutes. Here the folder's names (one directory read, no metadata) are sorted, the marker and the
 * page size applied to them, and only the page's entries read, each as jclouds reads it, so a page holds what
 * jclouds' own page would; the names are read once for all the pages of a folder that does not change
 * ({@link FolderNames}). Every other listing (recursive, by directory) is jclouds' own.
 */
final class PagedFolderListings extends ForwardingBlobStore {
    private static final String DELIMITER = "/";
    private static final int DEFAULT_PAGE = 1000;

    private final LocalStorageStrategy storage;
    private final Path dataDir;
    private final FolderNames folders;

    /** @param dataDir the filesystem blobstore's base directory: a bucket is a directory in it, a key a path */
    PagedFolderListings(BlobStore local, LocalStorageStrategy storage, Path dataDir, Clock clock) {
        super(local);
        this.storage = storage;
        this.dataDir = dataDir;
        this.folders = new FolderNames(clock);
    }

    @Override
    public PageSet<? extends StorageMetadata> list(String container, ListContainerOptions options) {
        if (options == null || !DELIMITER.equals(options.getDelimiter()) || options.getDir() != null
                || !storage.containerExists(container)) {
            return super.list(container, options);
        }
        String prefix = options.getPrefix() == null ? "" : options.getPrefix();
        Path directory = dataDir.resolve(container).resolve(prefix.substring(0, prefix.lastIndexOf('/') + 1));
        NavigableSet<String> names;
        try {
            // The folder's own files and its subfolders (as "sub/"): the delimiter keeps the strategy out of them.
            names = folders.of(container + "/" + prefix, directory,
                    () -> storage.getBlobKeysInsideContainer(container, options.getPrefix(), DELIMITER));
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + container + "/" + prefix, e);
        }
        if (names.stream().anyMatch(name -> isDeeper(prefix, name))) {
            return super.list(container, options); // not a walk of one folder after all: jclouds folds it
        }
        int pageSize = options.getMaxResults() == null ? DEFAULT_PAGE : options.getMaxResults();
        List<StorageMetadata> page = new ArrayList<>();
        if (pageSize <= 0) {
            return new PageSetImpl<>(page, null);
        }
        String nextMarker = null;
        for (String name : options.getMarker() == null ? names : names.tailSet(options.getMarker(), false)) {
            StorageMetadata entry = entry(container, prefix, name);
            if (entry == null) {
                continue;
            }
            if (page.size() == pageSize) {
                nextMarker = page.get(page.size() - 1).getName();
                break;
            }
            if (!options.isDetailed()) {
                entry.getUserMetadata().clear();
            }
            page.add(entry);
        }
        return new PageSetImpl<>(page, nextMarker);
    }

    /** A name below a subfolder of the prefix's folder, which jclouds would fold into that subfolder's prefix. */
    private static boolean isDeeper(String prefix, String name) {
        int delimiter = name.indexOf(DELIMITER, Math.min(prefix.length(), name.length()));
        return delimiter >= 0 && delimiter < name.length() - 1;
    }

    /**
     * What jclouds lists for one name of the folder, read as jclouds reads it: the object, or a subfolder (which
     * jclouds reads as a folder, and S3Proxy lists as a common prefix); null when jclouds leaves the name out.
     */
    private StorageMetadata entry(String container, String prefix, String name) {
        if (!name.startsWith(prefix)) {
            return null;
        }
        Blob blob = storage.getBlob(container, name);
        if (blob == null || blob.getMetadata() == null) {
            return null;
        }
        MutableBlobMetadata metadata = BlobStoreUtils.copy(blob.getMetadata());
        metadata.setSize(blob.getMetadata().getSize());
        return metadata;
    }
}
