#pragma once
// Minimal RFC 4180 CSV reading and writing (owner: settle command).
