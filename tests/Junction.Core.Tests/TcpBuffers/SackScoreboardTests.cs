using Junction.Stack.Tcp;
using Junction.Wire;

namespace Junction.Tests.TcpBuffers;

public class SackScoreboardTests
{
    private const int Mss = 1000;

    private static TcpSeq S(uint value) => new(value);

    private static SackBlock B(uint left, uint right) => new(S(left), S(right));

    private static SackScoreboard Board(uint una, uint nxt, params SackBlock[] blocks)
    {
        var board = new SackScoreboard();
        board.Update(S(una), S(nxt), blocks);
        return board;
    }

    [Fact]
    public void Starts_empty()
    {
        var board = new SackScoreboard();
        Assert.True(board.IsEmpty);
        Assert.Equal(0, board.SackedBytes);
        Assert.Equal(SackScoreboard.DefaultCapacity, board.RangeCapacity);
        Assert.False(board.IsSacked(S(0)));
    }

    [Fact]
    public void Overlapping_and_adjacent_blocks_merge()
    {
        var board = Board(0, 10000, B(1000, 2000), B(3000, 4000));
        Assert.Equal(2, board.RangeCount);
        Assert.Equal(2000, board.SackedBytes);

        board.Update(S(0), S(10000), [B(1500, 2500), B(2500, 3000)]);
        Assert.Equal(1, board.RangeCount);
        Assert.Equal(B(1000, 4000), board.Ranges[0]);
        Assert.Equal(3000, board.SackedBytes);
        Assert.Equal(S(4000), board.HighestSacked);

        // A block covering several ranges and the gaps between them.
        board.Update(S(0), S(10000), [B(5000, 6000), B(7000, 8000), B(500, 9000)]);
        Assert.Equal(1, board.RangeCount);
        Assert.Equal(B(500, 9000), board.Ranges[0]);
        Assert.Equal(8500, board.SackedBytes);
    }

    [Fact]
    public void Invalid_blocks_are_ignored()
    {
        var board = Board(1000, 5000,
            B(2000, 2000),  // empty
            B(3000, 2500),  // reversed
            B(4000, 6000),  // past SND.NXT
            B(5000, 5100),  // starts at SND.NXT
            B(200, 800),    // D-SACK below SND.UNA
            B(500, 1000));  // D-SACK ending at SND.UNA
        Assert.True(board.IsEmpty);
        Assert.Equal(0, board.SackedBytes);
    }

    [Fact]
    public void A_block_straddling_snd_una_is_clipped_to_it()
    {
        var board = Board(1000, 5000, B(500, 1500));
        Assert.Equal(B(1000, 1500), board.Ranges[0]);
        Assert.Equal(500, board.SackedBytes);
    }

    [Fact]
    public void Block_ending_exactly_at_snd_nxt_is_valid()
    {
        var board = Board(1000, 5000, B(4000, 5000));
        Assert.Equal(1000, board.SackedBytes);
        Assert.Equal(S(5000), board.HighestSacked);
    }

    [Fact]
    public void AdvanceTo_forgets_ranges_below_and_clips_a_straddling_one()
    {
        var board = Board(0, 10000, B(1000, 2000), B(3000, 4000), B(5000, 6000));
        board.AdvanceTo(S(3500));
        Assert.Equal(2, board.RangeCount);
        Assert.Equal(B(3500, 4000), board.Ranges[0]);
        Assert.Equal(1500, board.SackedBytes);

        board.AdvanceTo(S(6000));
        Assert.True(board.IsEmpty);
        Assert.Equal(0, board.SackedBytes);
    }

    [Fact]
    public void Update_forgets_what_the_new_cumulative_ack_covers()
    {
        var board = Board(0, 10000, B(1000, 2000), B(3000, 4000));
        board.Update(S(2000), S(10000), []);
        Assert.Equal(1, board.RangeCount);
        Assert.Equal(1000, board.SackedBytes);
    }

    [Fact]
    public void Clear_forgets_everything()
    {
        var board = Board(0, 10000, B(1000, 2000));
        board.Clear();
        Assert.True(board.IsEmpty);
        Assert.Equal(0, board.SackedBytes);
        Assert.False(board.IsSacked(S(1500)));
    }

    [Fact]
    public void When_full_the_lowest_range_is_forgotten()
    {
        var board = new SackScoreboard(4);
        board.Update(S(0), S(100000), [B(1000, 1100), B(2000, 2100), B(3000, 3100), B(4000, 4100)]);
        Assert.Equal(4, board.RangeCount);

        board.Update(S(0), S(100000), [B(5000, 5100)]);
        Assert.Equal(4, board.RangeCount);
        Assert.False(board.IsSacked(S(1000)));
        Assert.True(board.IsSacked(S(5000)));
        Assert.Equal(400, board.SackedBytes);
        Assert.Equal(S(5100), board.HighestSacked);

        // A new range in the middle displaces the lowest too.
        board.Update(S(0), S(100000), [B(3500, 3600)]);
        Assert.Equal([B(3000, 3100), B(3500, 3600), B(4000, 4100), B(5000, 5100)], board.Ranges.ToArray());
        Assert.Equal(400, board.SackedBytes);

        // A new range below all of them is the one dropped.
        board.Update(S(0), S(100000), [B(100, 200)]);
        Assert.False(board.IsSacked(S(150)));
        Assert.Equal(4, board.RangeCount);

        // Merging still works when full.
        board.Update(S(0), S(100000), [B(3100, 3500)]);
        Assert.Equal([B(3000, 3600), B(4000, 4100), B(5000, 5100)], board.Ranges.ToArray());
        Assert.Equal(800, board.SackedBytes);
    }

    [Fact]
    public void IsSacked_reports_bytes_inside_ranges_only()
    {
        var board = Board(0, 10000, B(1000, 2000));
        Assert.False(board.IsSacked(S(999)));
        Assert.True(board.IsSacked(S(1000)));
        Assert.True(board.IsSacked(S(1999)));
        Assert.False(board.IsSacked(S(2000)));
    }

    [Fact]
    public void IsLost_needs_more_than_dupthresh_minus_one_segments_sacked_above()
    {
        Assert.False(Board(0, 10000, B(1000, 3000)).IsLost(S(0), Mss)); // exactly 2 * MSS
        Assert.True(Board(0, 10000, B(1000, 3001)).IsLost(S(0), Mss));
        Assert.False(Board(0, 10000, B(1000, 3001)).IsLost(S(3001), Mss)); // nothing above
    }

    [Fact]
    public void IsLost_counts_dupthresh_discontiguous_ranges()
    {
        var board = Board(0, 10000, B(1000, 1100), B(2000, 2100), B(3000, 3100));
        Assert.True(board.IsLost(S(0), Mss));
        Assert.True(board.IsLost(S(999), Mss));
        Assert.False(board.IsLost(S(1100), Mss)); // only two ranges, 200 bytes above
        Assert.False(board.IsLost(S(0), Mss, dupThresh: 4));
    }

    [Fact]
    public void IsLost_is_false_for_a_sacked_byte()
    {
        var board = Board(0, 20000, B(1000, 1100), B(2000, 2100), B(3000, 3100), B(4000, 9000));
        Assert.False(board.IsLost(S(2050), Mss));
        Assert.False(board.IsLost(S(2099), Mss));
        Assert.True(board.IsLost(S(2100), Mss));
    }

    [Fact]
    public void Next_lost_range_is_the_first_hole_when_enough_is_sacked_above()
    {
        var board = Board(0, 10000, B(1000, 4000));
        Assert.True(board.TryGetNextLostRange(S(0), S(0), Mss, 1460, out TcpSeq start, out int length));
        Assert.Equal(S(0), start);
        Assert.Equal(1000, length);

        Assert.True(board.TryGetNextLostRange(S(0), S(0), Mss, 500, out start, out length));
        Assert.Equal(500, length);

        Assert.True(board.TryGetNextLostRange(S(600), S(0), Mss, 1460, out start, out length));
        Assert.Equal(S(600), start);
        Assert.Equal(400, length);

        // Nothing is lost at or above HighestSacked.
        Assert.False(board.TryGetNextLostRange(S(1000), S(0), Mss, 1460, out _, out _));
    }

    [Fact]
    public void Next_lost_range_starting_inside_sacked_data_moves_to_the_next_hole()
    {
        var board = Board(0, 10000, B(1000, 2000), B(3000, 4000), B(5000, 7001));
        Assert.True(board.TryGetNextLostRange(S(1200), S(0), Mss, 1460, out TcpSeq start, out int length));
        Assert.Equal(S(2000), start); // 3001 bytes SACKed above it
        Assert.Equal(1000, length);

        // [4000,5000) has only 2001 bytes in one range above: 1 range, > 2 * MSS, so lost as well.
        Assert.True(board.TryGetNextLostRange(S(3000), S(0), Mss, 1460, out start, out length));
        Assert.Equal(S(4000), start);
        Assert.Equal(1000, length);
    }

    [Fact]
    public void Next_lost_range_is_none_when_the_hole_has_too_little_sacked_above()
    {
        var board = Board(0, 10000, B(1000, 2000), B(3000, 3500));
        Assert.False(board.TryGetNextLostRange(S(0), S(0), Mss, 1460, out _, out _)); // 2 ranges, 1500 bytes above
        Assert.False(board.TryGetNextLostRange(S(2000), S(0), Mss, 1460, out _, out _));
    }

    [Fact]
    public void Next_lost_range_starts_no_lower_than_snd_una()
    {
        var board = Board(500, 10000, B(1000, 4000));
        Assert.True(board.TryGetNextLostRange(S(0), S(500), Mss, 1460, out TcpSeq start, out int length));
        Assert.Equal(S(500), start);
        Assert.Equal(500, length);
    }

    [Fact]
    public void Pipe_without_sacks_is_the_outstanding_bytes_plus_retransmissions()
    {
        var board = new SackScoreboard();
        Assert.Equal(5000, board.Pipe(S(1000), S(6000), S(1000), Mss));
        Assert.Equal(6460, board.Pipe(S(1000), S(6000), S(2460), Mss));
        Assert.Equal(0, board.Pipe(S(1000), S(1000), S(1000), Mss));
    }

    [Fact]
    public void Pipe_leaves_out_sacked_and_lost_bytes()
    {
        var board = Board(0, 10000, B(1000, 4000));
        // [0,1000) lost, [1000,4000) sacked, [4000,10000) in flight.
        Assert.Equal(6000, board.Pipe(S(0), S(10000), S(0), Mss));
        // Retransmitting the lost hole puts it back in flight.
        Assert.Equal(7000, board.Pipe(S(0), S(10000), S(1000), Mss));
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    [InlineData(14)]
    public void Pipe_matches_a_byte_by_byte_rfc6675_count(int seed)
    {
        var random = new Random(seed);
        for (int round = 0; round < 50; round++)
        {
            uint una = (uint)random.NextInt64(0, uint.MaxValue + 1L); // exercises the wrap too
            int outstanding = random.Next(1, 6000);
            TcpSeq sndUna = S(una);
            TcpSeq sndNxt = sndUna + outstanding;
            var blocks = new SackBlock[random.Next(0, 8)];
            for (int i = 0; i < blocks.Length; i++)
            {
                int left = random.Next(0, outstanding);
                int right = random.Next(left, outstanding + 1);
                blocks[i] = new SackBlock(sndUna + left, sndUna + right);
            }
            var board = new SackScoreboard();
            board.Update(sndUna, sndNxt, blocks);
            TcpSeq highRxt = sndUna + random.Next(0, outstanding + 1);
            int mss = random.Next(100, 1500);

            int expected = 0;
            int sacked = 0;
            for (int b = 0; b < outstanding; b++)
            {
                TcpSeq seq = sndUna + b;
                if (board.IsSacked(seq))
                {
                    sacked++;
                    continue;
                }
                if (!board.IsLost(seq, mss)) expected++;
                if (seq < highRxt) expected++;
            }
            Assert.Equal(expected, board.Pipe(sndUna, sndNxt, highRxt, mss));
            Assert.Equal(sacked, board.SackedBytes);
        }
    }

    [Fact]
    public void Works_across_the_sequence_number_wrap()
    {
        const uint una = uint.MaxValue - 1999;
        TcpSeq sndUna = S(una);
        TcpSeq sndNxt = sndUna + 10000;
        var board = new SackScoreboard();
        board.Update(sndUna, sndNxt, [new SackBlock(sndUna + 1000, sndUna + 2500), new SackBlock(sndUna + 2500, sndUna + 4000)]);
        Assert.Equal(1, board.RangeCount);
        Assert.Equal(3000, board.SackedBytes);
        Assert.Equal(sndUna + 4000, board.HighestSacked);
        Assert.True(board.IsSacked(S(0)));      // byte 2000 after SND.UNA is sequence 0
        Assert.True(board.IsSacked(S(uint.MaxValue)));
        Assert.False(board.IsSacked(sndUna + 999));
        Assert.True(board.IsLost(sndUna, Mss));

        Assert.True(board.TryGetNextLostRange(sndUna, sndUna, Mss, 1460, out TcpSeq start, out int length));
        Assert.Equal(sndUna, start);
        Assert.Equal(1000, length);
        Assert.Equal(6000, board.Pipe(sndUna, sndNxt, sndUna, Mss));

        board.AdvanceTo(S(100));
        Assert.Equal(new SackBlock(S(100), sndUna + 4000), board.Ranges[0]);
        Assert.Equal(1900, board.SackedBytes);
    }
}
