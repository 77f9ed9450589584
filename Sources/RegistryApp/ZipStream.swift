import Foundation
import Hummingbird
import NIOCore
import RegistryStore

/// Writes a zip archive as it goes: each entry is "stored" (the CSVs compress well, but storing
/// keeps the server's CPU and memory flat) with a data descriptor after its bytes, so sizes and
/// CRC need not be known in advance. Entries and the archive stay under 4 GiB (no ZIP64).
struct ZipStream: ExportSink {
    let emit: (ByteBuffer) async throws -> Void
    private var offset: UInt32 = 0
    private var current: (name: [UInt8], start: UInt32, crc: UInt32, size: UInt32)?
    private var directory: [(name: [UInt8], start: UInt32, crc: UInt32, size: UInt32)] = []

    init(emit: @escaping (ByteBuffer) async throws -> Void) { self.emit = emit }

    mutating func begin(file: String) async throws {
        let name = Array(file.utf8)
        var header = ByteBuffer()
        header.writeInteger(UInt32(0x0403_4b50), endianness: .little)
        header.writeInteger(UInt16(20), endianness: .little)  // version needed
        header.writeInteger(UInt16(0x0808), endianness: .little)  // data descriptor follows; names are UTF-8
        header.writeInteger(UInt16(0), endianness: .little)  // stored
        header.writeInteger(UInt32(0), endianness: .little)  // time and date: not recorded
        header.writeInteger(UInt32(0), endianness: .little)  // CRC, compressed and real size: in the descriptor
        header.writeInteger(UInt32(0), endianness: .little)
        header.writeInteger(UInt32(0), endianness: .little)
        header.writeInteger(UInt16(name.count), endianness: .little)
        header.writeInteger(UInt16(0), endianness: .little)
        header.writeBytes(name)
        current = (name, offset, 0, 0)
        try await send(header)
    }

    mutating func write(_ chunk: ByteBuffer) async throws {
        current!.crc = CRC32.update(current!.crc, chunk.readableBytesView)
        current!.size &+= UInt32(chunk.readableBytes)
        try await send(chunk)
    }

    mutating func end() async throws {
        guard let entry = current else { return }
        var descriptor = ByteBuffer()
        descriptor.writeInteger(UInt32(0x0807_4b50), endianness: .little)
        descriptor.writeInteger(entry.crc, endianness: .little)
        descriptor.writeInteger(entry.size, endianness: .little)
        descriptor.writeInteger(entry.size, endianness: .little)
        directory.append(entry)
        current = nil
        try await send(descriptor)
    }

    /// The central directory and its end record.
    mutating func finish() async throws {
        let start = offset
        var central = ByteBuffer()
        for entry in directory {
            central.writeInteger(UInt32(0x0201_4b50), endianness: .little)
            central.writeInteger(UInt16(20), endianness: .little)
            central.writeInteger(UInt16(20), endianness: .little)
            central.writeInteger(UInt16(0x0808), endianness: .little)
            central.writeInteger(UInt16(0), endianness: .little)
            central.writeInteger(UInt32(0), endianness: .little)
            central.writeInteger(entry.crc, endianness: .little)
            central.writeInteger(entry.size, endianness: .little)
            central.writeInteger(entry.size, endianness: .little)
            central.writeInteger(UInt16(entry.name.count), endianness: .little)
            central.writeInteger(UInt32(0), endianness: .little)  // extra and comment lengths
            central.writeInteger(UInt32(0), endianness: .little)  // disk number, internal attributes
            central.writeInteger(UInt32(0), endianness: .little)  // external attributes
            central.writeInteger(entry.start, endianness: .little)
            central.writeBytes(entry.name)
        }
        let size = UInt32(central.readableBytes)
        central.writeInteger(UInt32(0x0605_4b50), endianness: .little)
        central.writeInteger(UInt32(0), endianness: .little)
        central.writeInteger(UInt16(directory.count), endianness: .little)
        central.writeInteger(UInt16(directory.count), endianness: .little)
        central.writeInteger(size, endianness: .little)
        central.writeInteger(start, endianness: .little)
        central.writeInteger(UInt16(0), endianness: .little)
        try await send(central)
    }

    private mutating func send(_ buffer: ByteBuffer) async throws {
        offset &+= UInt32(buffer.readableBytes)
        try await emit(buffer)
    }
}

/// CRC-32 (IEEE 802.3), as zip requires.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        (0..<8).reduce(UInt32(n)) { c, _ in c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
    }

    static func update(_ crc: UInt32, _ bytes: some Sequence<UInt8>) -> UInt32 {
        var c = ~crc
        for byte in bytes { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return ~c
    }
}

extension ZipStream {
    /// A download of the archive `fill` writes, streamed as it is written; `fill` returns the
    /// rows and bytes exported, for the metrics.
    static func download(
        _ fileName: String, metrics: RegistryMetrics,
        fill: @escaping @Sendable (inout ZipStream) async throws -> (rows: Int, bytes: Int)
    ) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/zip", .contentDisposition: "attachment; filename=\"\(fileName)\""],
            body: ResponseBody { writer in
                // The zip stream keeps its output for the whole response; the box lends it the writer.
                let box = WriterBox(writer)
                var zip = ZipStream { try await box.writer.write($0) }
                let exported = try await fill(&zip)
                try await zip.finish()
                try await box.writer.finish(nil)
                metrics.exported(rows: exported.rows, bytes: exported.bytes)
            })
    }
}
