//! JSON messages of the `v010_token` contract (see contracts/README.md for examples).

use cosmwasm_std::{Binary, Coin, HumanAddr, Uint128};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
pub struct InitialBalance {
    pub address: HumanAddr,
    pub amount: Uint128,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
pub struct InitMsg {
    pub name: String,
    #[serde(default)]
    pub initial_balances: Vec<InitialBalance>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HandleMsg {
    /// Moves `amount` of the token from the sender to `recipient`.
    Transfer { recipient: HumanAddr, amount: Uint128 },
    /// Calls another contract (v0.10 `WasmMsg::Execute` with `callback_code_hash`), optionally with funds.
    CallContract {
        contract: HumanAddr,
        code_hash: String,
        msg: Binary,
        #[serde(default)]
        send: Vec<Coin>,
    },
    /// Sends native coins held by this contract (`BankMsg::Send` from the contract itself).
    SendNative { to: HumanAddr, amount: Vec<Coin> },
    /// Tries a `BankMsg::Send` from someone else's account; the chain must refuse it.
    SendNativeFrom { from: HumanAddr, to: HumanAddr, amount: Vec<Coin> },
    /// Always fails with a generic error.
    Fail { message: String },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QueryMsg {
    Balance { address: HumanAddr },
    Name {},
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
pub struct BalanceResponse {
    pub amount: Uint128,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
pub struct NameResponse {
    pub name: String,
}
