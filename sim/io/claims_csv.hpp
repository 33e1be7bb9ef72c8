#pragma once
// Claims in, settlement results out, as CSV (owner: settle command).
