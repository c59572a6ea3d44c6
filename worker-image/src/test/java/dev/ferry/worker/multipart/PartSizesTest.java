package dev.ferry.worker.multipart;

import static dev.ferry.worker.multipart.PartSizes.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PartSizesTest {

    @Test
    void defaultsToEightMibForOrdinaryFiles() {
        assertThat(PartSizes.partSize(100 * MIB, null)).isEqualTo(8 * MIB);
        assertThat(PartSizes.partSize(0, null)).isEqualTo(8 * MIB);
    }

    @Test
    void growsInWholeMibSoThatAHugeFileNeedsAtMostTenThousandParts() {
        long size = 200L * 1024 * MIB + 1; // a little over 200 GiB: 20.48 MiB per part, rounded up
        long part = PartSizes.partSize(size, null);
        assertThat(part).isEqualTo(21 * MIB);
        assertThat(PartSizes.partCount(size, part)).isLessThanOrEqualTo(PartSizes.MAX_PARTS);
    }

    @Test
    void honoursAConfiguredSizeWithinS3sLimits() {
        assertThat(PartSizes.partSize(100 * MIB, 16 * MIB)).isEqualTo(16 * MIB);
        assertThat(PartSizes.partSize(100 * MIB, MIB)).isEqualTo(5 * MIB);
        assertThat(PartSizes.partSize(100 * MIB, 4096 * MIB)).isEqualTo(1024 * MIB);
        assertThat(PartSizes.partSize(100_000 * 6 * MIB, 5 * MIB)).isEqualTo(60 * MIB);
    }

    @Test
    void countsTheLastPartialPart() {
        assertThat(PartSizes.partCount(20 * MIB + 1, 5 * MIB)).isEqualTo(5);
        assertThat(PartSizes.partCount(20 * MIB, 5 * MIB)).isEqualTo(4);
    }

    @Test
    void sendsFilesUpTo64MibInOnePutUnlessAPartSizeIsConfigured() {
        assertThat(PartSizes.singlePut(64 * PartSizes.MIB, null)).isTrue();
        assertThat(PartSizes.singlePut(64 * PartSizes.MIB + 1, null)).isFalse();
        assertThat(PartSizes.singlePut(20 * PartSizes.MIB, 8 * PartSizes.MIB)).isFalse();
        assertThat(PartSizes.singlePut(8 * PartSizes.MIB, 8 * PartSizes.MIB)).isTrue();
    }
}
