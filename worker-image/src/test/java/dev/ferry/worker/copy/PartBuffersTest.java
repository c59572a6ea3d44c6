package dev.ferry.worker.copy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PartBuffersTest {
    private static final int PART = 8 << 20;

    @Test
    void aBufferGivenBackIsTheOneTheNextPartOfItsLengthTakes() {
        PartBuffers buffers = new PartBuffers(4L * PART);
        byte[] first = buffers.take(PART);

        buffers.give(first);

        assertThat(buffers.take(PART)).isSameAs(first);
        assertThat(buffers.idleBytes()).isZero();
    }

    @Test
    void aPartOfAnotherLengthGetsAFreshBuffer() {
        PartBuffers buffers = new PartBuffers(4L * PART);
        byte[] eightMib = buffers.take(PART);
        buffers.give(eightMib);

        byte[] tenMib = buffers.take(10 << 20);

        assertThat(tenMib).isNotSameAs(eightMib).hasSize(10 << 20);
        assertThat(buffers.idleBytes()).isEqualTo(PART);
    }

    @Test
    void idleBuffersBeyondTheLimitAreLeftToTheCollector() {
        PartBuffers buffers = new PartBuffers(2L * PART);

        buffers.give(new byte[PART]);
        buffers.give(new byte[PART]);
        buffers.give(new byte[PART]);

        assertThat(buffers.idleBytes()).isEqualTo(2L * PART);
    }

    @Test
    void buffersOfTheLengthNowInUseDisplaceIdleOnesOfAnOldLength() {
        PartBuffers buffers = new PartBuffers(2L * PART);
        buffers.give(new byte[PART]);
        buffers.give(new byte[PART]);
        byte[] larger = new byte[PART + 1024];

        buffers.give(larger);

        assertThat(buffers.idleBytes()).isEqualTo(larger.length);
        assertThat(buffers.take(PART + 1024)).isSameAs(larger);
        assertThat(buffers.take(PART)).isNotNull().hasSize(PART);
        assertThat(buffers.idleBytes()).isZero();
    }

    @Test
    void aBufferLargerThanTheLimitIsNotKept() {
        PartBuffers buffers = new PartBuffers(PART);

        buffers.give(new byte[PART + 1]);

        assertThat(buffers.idleBytes()).isZero();
    }
}
